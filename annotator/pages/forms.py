"""The annotation form: built from the label scheme, filled from and turned into labels."""

import json
from functools import cache

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FloatField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional

from ..schema import TEXT_LENGTH
from ..targets import TargetProblem, checked
from ..text import plain, plain_lines


def title(label):
    """``checkworthy_claim`` -> ``Checkworthy claim``."""
    return label.replace("_", " ").capitalize()


def choices(values):
    """Radio choices with readable labels."""
    return [SelectChoice(value, title(value)) for value in values]


def span_field(name):
    """An optional character offset within the sentence."""
    return IntegerField(name, validators=[Optional(), NumberRange(min=0)])


def label_input(field):
    """The form input of one label field (a span's are made by ``span_field``)."""
    if field.kind == "choice":
        return RadioField(
            field.title,
            choices=choices(field.choices),
            default=field.default,
            validate_choice=False,
        )
    # typed text loses control, bidirectional and invisible characters as it is read,
    # before validation: what is checked is what would be stored
    return StringField(
        field.title, filters=[plain], validators=[Optional(), Length(max=TEXT_LENGTH)]
    )


@cache
def form_class(scheme):
    """A WTForms class for one annotation under ``scheme``, an input per field of the
    scheme (two per span); built once per scheme."""

    class AnnotationForm(FlaskForm):
        class Meta:
            csrf = False  # CSRFProtect has checked every POST before the view runs

        flagged = BooleanField("Flag for review")
        comment = TextAreaField(
            "Comment", filters=[plain_lines], validators=[Optional(), Length(max=5000)]
        )
        seconds = FloatField(validators=[Optional(), NumberRange(min=0, max=86400)])
        revision = HiddenField()
        targets = HiddenField()  # the stance targets it asks, as JSON (see ``asked_targets``)

    for field in scheme.fields:
        if field.kind == "span":
            setattr(AnnotationForm, f"{field.input}_start", span_field(f"{field.title} start"))
            setattr(AnnotationForm, f"{field.input}_end", span_field(f"{field.title} end"))
        else:
            setattr(AnnotationForm, field.input, label_input(field))
    return AnnotationForm


class SkipForm(FlaskForm):
    """Skip a sentence, optionally saying why."""

    reason = StringField(
        "Reason (optional)", filters=[plain], validators=[Optional(), Length(max=500)]
    )
    revision = HiddenField()


def span(form, name):
    """``{"start", "end"}`` from the form's two offset fields, or None when both are empty."""
    start, end = form[f"{name}_start"].data, form[f"{name}_end"].data
    if start is None and end is None:
        return None
    return {"start": start, "end": end}


def labels_from(form, scheme):
    """The labels object stored with an annotation, from a submitted form."""
    values = {}
    for field in scheme.fields:
        if field.kind == "span":
            values[field.name] = span(form, field.input)
        elif field.kind == "text":
            values[field.name] = (form[field.input].data or "").strip() or None
        else:
            # a target left unset is not addressed (its default); any other choice must be made
            default = field.default if field.target is not None else None
            values[field.name] = form[field.input].data or default
    return scheme.labels(values)


def fill(form, scheme, annotation, document, blind=False):
    """Put stored labels (or the document's defaults) into a fresh form, with the version
    it shows (0: not labelled yet), so that saving it over a newer version is refused.
    ``blind`` (outlet-blind labelling): the document's outlet is never shown; the outlet
    input holds only another outlet the sentence relays."""
    form.outlet.data = None if blind else document.outlet
    form.revision.data = 0 if annotation is None else annotation.revision
    form.targets.data = json.dumps(scheme.stance_targets)
    if annotation is None or annotation.skipped:
        return
    for field in scheme.fields:
        value = field.value(annotation.labels)
        if field.kind == "span":
            value = value if isinstance(value, dict) else {}
            form[f"{field.input}_start"].data = value.get("start")
            form[f"{field.input}_end"].data = value.get("end")
        else:
            form[field.input].data = field.default if value is None else value
    if blind and form.outlet.data == document.outlet:
        form.outlet.data = None
    form.flagged.data = annotation.flagged
    form.comment.data = annotation.comment


def prefill(form, scheme, suggested):
    """Put suggested values ({field name: (value, by, confidence)}) into a fresh form."""
    for name, (value, _, _) in suggested.items():
        field = scheme.named[name]
        if field.kind == "span":
            form[f"{field.input}_start"].data = value["start"]
            form[f"{field.input}_end"].data = value["end"]
        else:
            form[field.input].data = value


def suggested_inputs(suggested):
    """{input name: its suggested value, as the input holds it} of the suggested spans and
    typed fields ({field name: (value, by, confidence)}), for the attribution group's mark."""
    inputs = {}
    for name, (value, _, _) in suggested.items():
        if name == "attribution.entity":
            inputs["entity"] = value
        elif name in ("attribution.source", "attribution.cue"):
            span = name.split(".")[1]
            inputs |= {f"{span}_start": str(value["start"]), f"{span}_end": str(value["end"])}
    return inputs


def asked_targets(form, now):
    """The stance targets a submitted form was shown with (its stance rows are numbered in
    their order): ``now``'s when they are the same or the form does not say; another list,
    checked, when they changed since; TargetProblem for a value no page wrote."""
    if not form.targets.data:
        return now
    try:
        names = json.loads(form.targets.data)
    except ValueError:
        raise TargetProblem("the form's targets are not JSON") from None
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise TargetProblem("the form's targets are not a list of names")
    return now if tuple(names) == now else checked(names, "the form's targets")


def labels_as_shown(form, formdata, scheme, shown):
    """The labels held by a form of ``scheme`` that was shown with other stance targets
    (``shown``: the scheme with those): every other field as ``labels_from`` reads it, each
    stance row (``formdata``'s ``stance_<n>``) as the target the form asked there. No form
    class is built for a list of targets that may no longer be any document's."""
    read = labels_from(form, scheme)
    labels = {key: value for key, value in read.items() if key not in scheme.targets}
    for group, fields in shown.groups.items():
        if group in shown.targets:
            labels[group] = {f.target: formdata.get(f.input) or f.default for f in fields}
    return labels


def show_errors(form, scheme, errors):
    """Attach the scheme's errors to the inputs they concern (a group's to its first)."""
    for name, message in errors.items():
        field = scheme.named.get(name) or scheme.groups.get(name, scheme.fields)[0]
        input_name = f"{field.input}_start" if field.kind == "span" else field.input
        form[input_name].errors = [*form[input_name].errors, message]


def error_attributes(field):
    """The attributes tying an input to its errors (see templates/macros.html ``errors``):
    none when it has no errors."""
    if not field.errors:
        return {}
    return {"aria-invalid": "true", "aria-describedby": f"{field.name}-errors"}


def init_app(app):
    """Give templates ``error_attributes`` and ``suggested_inputs``."""
    app.add_template_global(error_attributes)
    app.add_template_global(suggested_inputs)
