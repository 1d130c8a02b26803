"""Pages that show the imported documents, so the project lead can check an import."""

from flask import Blueprint, abort, render_template

from .. import workspace
from ..extensions import db
from ..models import Document
from ..queries import documents_with_counts
from .auth import roles_required

bp = Blueprint("documents", __name__, url_prefix="/documents")
staff_only = roles_required("reviewer", "admin")


@bp.get("")
@staff_only
def index():
    """All documents in import order with their sentence counts."""
    rows = db.session.execute(documents_with_counts()).all()
    return render_template("documents.html", rows=rows)


@bp.get("/<path:document_id>")
@staff_only
def show(document_id):
    """One document, paragraph by paragraph, each sentence numbered."""
    document = db.session.get(Document, document_id) or abort(404)
    return render_template(
        "document.html", document=document, paragraphs=workspace.paragraphs(document_id)
    )
