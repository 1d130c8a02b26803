"""Pages that show the imported documents, so the project lead can check an import; an
admin also changes a document's stance targets there."""

import json

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, TextAreaField

from .. import targets, workspace
from ..extensions import db
from ..models import Document
from ..queries import documents_with_counts
from .auth import roles_required

bp = Blueprint("documents", __name__, url_prefix="/documents")
staff_only = roles_required("reviewer", "admin")


class TargetsForm(FlaskForm):
    """A document's stance targets, one a line, as ``flask targets --set`` takes them."""

    class Meta:
        csrf = False  # CSRFProtect has checked every POST before the view runs

    targets = TextAreaField("Stance targets, one a line")
    was = HiddenField()  # the targets the page showed, as JSON: a change made since is not lost
    force = BooleanField("Remove targets that have labels too (their values stay)")
    requeue = BooleanField("Ask the annotators again for targets their labels lack")


def lines_of(text):
    """The targets typed into the form, one a line (blank lines left out)."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [line for line in lines if line.strip()]


@bp.get("")
@staff_only
def index():
    """All documents in import order with their sentence counts and targets."""
    rows = db.session.execute(documents_with_counts()).all()
    scheme = current_app.extensions["scheme"]
    return render_template(
        "documents.html",
        rows=rows,
        targets_of={document.id: targets.of(document, scheme) for document, _ in rows},
    )


def render_document(document, form=None, message=None, status=200):
    """One document, paragraph by paragraph, each sentence numbered; its targets, and for an
    admin the form that changes them (``message``: why a change was refused)."""
    return (
        render_template(
            "document.html",
            document=document,
            paragraphs=workspace.paragraphs(document.id),
            targets=targets.of(document, current_app.extensions["scheme"]),
            form=form,
            message=message,
        ),
        status,
    )


@bp.route("/<path:document_id>", methods=["GET", "POST"])
@staff_only
def show(document_id):
    """One document with its stance targets; an admin changes them here (POST), by the
    rules of ``flask targets``: checked, and a target with labels removed only when
    forced. Reviewers see the targets only."""
    document = db.session.get(Document, document_id) or abort(404)
    if current_user.role != "admin":
        if request.method == "POST":
            abort(403)
        return render_document(document)
    current = targets.of(document, current_app.extensions["scheme"])
    form = TargetsForm()
    if request.method == "GET":
        form.targets.data = "\n".join(current)
        form.was.data = json.dumps(current)
        return render_document(document, form)
    if form.was.data != json.dumps(current):
        form.was.data = json.dumps(current)
        message = (
            "The targets were changed elsewhere since this page was shown; they are now: "
            f"{', '.join(current) or 'none'}. Nothing was changed: check what you typed and "
            "save again."
        )
        return render_document(document, form, message, 409)
    try:
        wanted = targets.checked(lines_of(form.targets.data), "Targets")
        change = targets.change(
            document.id, wanted, force=form.force.data, requeue=form.requeue.data
        )
    except targets.HasLabels as refused:
        it, its = ("it", "its") if len(refused.counts) == 1 else ("them", "their")
        message = (
            f"{refused}. Tick “{form.force.label.text}” to remove {it} anyway: {its} values "
            "stay in the annotations, only asking stops. Nothing was changed."
        )
        return render_document(document, form, message, 409)
    except targets.TargetProblem as problem:
        return render_document(document, form, f"{problem}. Nothing was changed.", 422)
    for line in change.lines():
        flash(line)
    return redirect(url_for("documents.show", document_id=document.id))
