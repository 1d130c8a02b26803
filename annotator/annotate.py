"""The annotation pages: next sentence, the sentence form, saving, skipping, done."""

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
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

from .assignment import live_lease, my_counts, next_sentence
from .auth import roles_required
from .extensions import db
from .labelling import SaveRefused, save
from .models import ROLES, Annotation, Document, Sentence

bp = Blueprint("annotate", __name__, url_prefix="/annotate")
annotate_access = roles_required(*ROLES)


def title(label):
    """``checkworthy_claim`` -> ``Checkworthy claim``."""
    return label.replace("_", " ").capitalize()


def choices(values):
    """Radio choices with readable labels."""
    return [SelectChoice(value, title(value)) for value in values]


def span_field(name):
    """An optional character offset within the sentence."""
    return IntegerField(name, validators=[Optional(), NumberRange(min=0)])


def form_class(scheme):
    """A WTForms class for one annotation under ``scheme`` (stance fields per target)."""

    class AnnotationForm(FlaskForm):
        claim = RadioField("Claim", choices=choices(scheme.claim_labels), validate_choice=False)
        source_type = RadioField(
            "Source type",
            choices=choices(scheme.source_types),
            default=scheme.source_types[0],
            validate_choice=False,
        )
        entity = StringField("Entity", validators=[Optional(), Length(max=200)])
        source_start = span_field("Source start")
        source_end = span_field("Source end")
        cue_start = span_field("Cue start")
        cue_end = span_field("Cue end")
        outlet = StringField("Outlet", validators=[Optional(), Length(max=200)])
        flagged = BooleanField("Flag for review")
        comment = TextAreaField("Comment", validators=[Optional(), Length(max=5000)])
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

    reason = StringField("Reason (optional)", validators=[Optional(), Length(max=500)])


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
    """Put stored labels (or the document's defaults) into a fresh form."""
    form.outlet.data = document.outlet
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
    form.revision.data = annotation.revision


ERROR_FIELDS = {"source": "source_start", "cue": "cue_start"}


def show_errors(form, scheme, errors):
    """Attach the scheme's errors to the form fields they concern."""
    for key, message in errors.items():
        if key.startswith("stance."):
            key = f"stance_{scheme.stance_targets.index(key.removeprefix('stance.'))}"
        name = ERROR_FIELDS.get(key, key)
        field = getattr(form, name, form.claim)
        field.errors = [*field.errors, message]


def own_annotation(sentence_id):
    """The current user's annotation of the sentence, or None."""
    return db.session.scalar(
        select(Annotation).where(
            Annotation.sentence_id == sentence_id, Annotation.annotator_id == current_user.id
        )
    )


def workspace(sentence, form, skip_form=None, message=None, status=200):
    """Render the sentence in its article context with the label form."""
    document = db.session.get(Document, sentence.document_id)
    context = db.session.scalars(
        select(Sentence)
        .where(
            Sentence.document_id == sentence.document_id,
            Sentence.index.between(sentence.index - 3, sentence.index + 3),
        )
        .order_by(Sentence.index)
    ).all()
    return (
        render_template(
            "annotate.html",
            sentence=sentence,
            document=document,
            context=context,
            form=form,
            skip_form=skip_form or SkipForm(),
            scheme=current_app.extensions["scheme"],
            message=message,
        ),
        status,
    )


def sentence_for_me(sentence_id):
    """The sentence if it is handed to the current user or labelled by them; else 404."""
    sentence = db.session.get(Sentence, sentence_id)
    if sentence is None:
        abort(404)
    annotation = own_annotation(sentence_id)
    if annotation is None and live_lease(current_user.id, sentence_id) is None:
        abort(404)
    return sentence, annotation


@bp.get("")
@annotate_access
def next_sentence_page():
    """Hand out the next sentence, or say that everything is done."""
    sentence_id = next_sentence(current_user.id)
    if sentence_id is None:
        labelled, skipped = my_counts(current_user.id)
        return render_template("done.html", labelled=labelled, skipped=skipped)
    return redirect(url_for("annotate.sentence_page", sentence_id=sentence_id))


@bp.route("/<int:sentence_id>", methods=["GET", "POST"])
@annotate_access
def sentence_page(sentence_id):
    """Show the form for a sentence; on POST validate and save it, then go to the next one."""
    scheme = current_app.extensions["scheme"]
    sentence, annotation = sentence_for_me(sentence_id)
    form = form_class(scheme)()
    if request.method == "GET":
        fill(form, scheme, annotation, db.session.get(Document, sentence.document_id))
        return workspace(sentence, form)
    if not form.validate():
        return workspace(sentence, form, status=422)
    labels = labels_from(form, scheme)
    errors = scheme.check(labels, len(sentence.text))
    if errors:
        show_errors(form, scheme, errors)
        return workspace(sentence, form, status=422)
    values = {
        "labels": labels,
        "skipped": False,
        "flagged": form.flagged.data,
        "comment": (form.comment.data or "").strip() or None,
        "seconds": form.seconds.data,
    }
    revision = int(form.revision.data) if (form.revision.data or "").isdigit() else None
    try:
        save(current_user.id, sentence_id, values, revision)
    except SaveRefused as refused:
        return workspace(sentence, form, message=str(refused), status=refused.status)
    return redirect(url_for("annotate.next_sentence_page"))


@bp.post("/<int:sentence_id>/skip")
@annotate_access
def skip(sentence_id):
    """Skip a sentence (it goes to someone else), keeping the optional reason."""
    sentence, _ = sentence_for_me(sentence_id)
    skip_form = SkipForm()
    if not skip_form.validate():
        form = form_class(current_app.extensions["scheme"])()
        return workspace(sentence, form, skip_form=skip_form, status=422)
    values = {
        "labels": {},
        "skipped": True,
        "flagged": False,
        "comment": (skip_form.reason.data or "").strip() or None,
        "seconds": None,
    }
    try:
        save(current_user.id, sentence_id, values)
    except SaveRefused as refused:
        form = form_class(current_app.extensions["scheme"])()
        return workspace(sentence, form, message=str(refused), status=refused.status)
    return redirect(url_for("annotate.next_sentence_page"))


@bp.get("/annotations/<int:annotation_id>")
@annotate_access
def open_annotation(annotation_id):
    """Reopen one of my annotations; other people's do not exist for me (404)."""
    annotation = db.session.get(Annotation, annotation_id)
    if annotation is None or annotation.annotator_id != current_user.id:
        abort(404)
    return redirect(url_for("annotate.sentence_page", sentence_id=annotation.sentence_id))
