"""The annotation form: built from the label scheme, filled from and turned into labels."""

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

from .text import plain, plain_lines


def title(label):
    """``checkworthy_claim`` -> ``Checkworthy claim``."""
    return label.replace("_", " ").capitalize()


def choices(values):
    """Radio choices with readable labels."""
    return [SelectChoice(value, title(value)) for value in values]


def span_field(name):
    """An optional character offset within the sentence."""
    return IntegerField(name, validators=[Optional(), NumberRange(min=0)])


@cache
def form_class(scheme):
    """A WTForms class for one annotation under ``scheme`` (stance fields per target);
    built once per scheme."""

    class AnnotationForm(FlaskForm):
        class Meta:
            csrf = False  # CSRFProtect has checked every POST before the view runs

        claim = RadioField("Claim", choices=choices(scheme.claim_labels), validate_choice=False)
        source_type = RadioField(
            "Source type",
            choices=choices(scheme.source_types),
            default=scheme.source_types[0],
            validate_choice=False,
        )
        # typed text loses control, bidirectional and invisible characters as it is read,
        # before validation: what is checked is what would be stored
        entity = StringField("Entity", filters=[plain], validators=[Optional(), Length(max=200)])
        source_start = span_field("Source start")
        source_end = span_field("Source end")
        cue_start = span_field("Cue start")
        cue_end = span_field("Cue end")
        outlet = StringField("Outlet", filters=[plain], validators=[Optional(), Length(max=200)])
        flagged = BooleanField("Flag for review")
        comment = TextAreaField(
            "Comment", filters=[plain_lines], validators=[Optional(), Length(max=5000)]
        )
        seconds = FloatField(validators=[Optional(), NumberRange(min=0, max=86400)])
        revision = HiddenField()

    for number, target in enumerate(scheme.stance_targets):
        setattr(
            AnnotationForm,
            f"stance_{number}",
            RadioField(
                target,
                choices=choices(scheme.stance_labels),
                default="none",
                validate_choice=False,
            ),
        )
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
    return {
        "claim": form.claim.data,
        "attribution": {
            "source_type": form.source_type.data,
            "entity": (form.entity.data or "").strip() or None,
            "source": span(form, "source"),
            "cue": span(form, "cue"),
        },
        "stance": {
            target: form[f"stance_{n}"].data or "none"
            for n, target in enumerate(scheme.stance_targets)
        },
        "outlet": (form.outlet.data or "").strip() or None,
    }


def fill(form, scheme, annotation, document):
    """Put stored labels (or the document's defaults) into a fresh form, with the version
    it shows (0: not labelled yet), so that saving it over a newer version is refused."""
    form.outlet.data = document.outlet
    form.revision.data = 0 if annotation is None else annotation.revision
    if annotation is None or annotation.skipped:
        return
    labels = annotation.labels
    attribution = labels.get("attribution") or {}
    form.claim.data = labels.get("claim")
    form.source_type.data = attribution.get("source_type")
    form.entity.data = attribution.get("entity")
    for name in ("source", "cue"):
        found = attribution.get(name) or {}
        form[f"{name}_start"].data = found.get("start")
        form[f"{name}_end"].data = found.get("end")
    for number, target in enumerate(scheme.stance_targets):
        form[f"stance_{number}"].data = (labels.get("stance") or {}).get(target, "none")
    form.outlet.data = labels.get("outlet")
    form.flagged.data = annotation.flagged
    form.comment.data = annotation.comment


ERROR_FIELDS = {"source": "source_start", "cue": "cue_start"}


def show_errors(form, scheme, errors):
    """Attach the scheme's errors to the form fields they concern."""
    for key, message in errors.items():
        if key.startswith("stance."):
            key = f"stance_{scheme.stance_targets.index(key.removeprefix('stance.'))}"
        name = ERROR_FIELDS.get(key, key)
        field = getattr(form, name, form.claim)
        field.errors = [*field.errors, message]
