"""The annotation pages: next sentence, the workspace, save, skip, history, guidelines.

Every page works as a plain form with POST-redirect-GET; with htmx, saving or skipping
answers with the next sentence's partial in the same request.
"""

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from .. import workspace
from ..assignment import my_counts, next_sentence, release
from ..database import answering
from ..extensions import db, htmx
from ..guidelines import rendered_guidelines
from ..labelling import (
    NoRoom,
    NotHanded,
    SaveRefused,
    StaleForm,
    TargetsChanged,
    save,
    save_and_next,
)
from ..models import ROLES, Annotation, User
from ..queries import history_of
from ..suggesting import outlets_of
from ..suggesting.attribution import marked_source
from ..targets import TargetProblem, keeping_unasked, scheme_of
from . import page_or_partial
from .auth import roles_required
from .errors import REFUSED
from .forms import (
    SkipForm,
    asked_targets,
    fill,
    form_class,
    labels_as_shown,
    labels_from,
    prefill,
    show_errors,
)
from .holding import holding, in_background, sent_again, shown_after
from .incoming import page_number, whole_number
from .offers import offer_for, submitted_offer, token_of
from .showing import differences

# a refused save, as the HTTP status the page answers with
REFUSED_STATUS = {NotHanded: 403, NoRoom: 409, StaleForm: 409, TargetsChanged: 409}
bp = Blueprint("annotate", __name__, url_prefix="/annotate")
annotate_access = roles_required(*ROLES)
HISTORY_PAGE = 50


@bp.after_request
def vary_on_htmx(response):
    """The same URL answers with a page or a partial: caches must keep them apart; and no
    copy is kept, so that the browser's Back shows the labels as saved, not an old form."""
    response.vary.add("HX-Request")
    response.headers["Cache-Control"] = "no-store"
    return response


def handed_proofs():
    """Signs "this sentence was handed to this user" into the workspace's forms."""
    return URLSafeSerializer(current_app.secret_key, salt="handed-sentence")


def submitted_proof():
    """``[user id, sentence id]`` the submitted workspace form was made for, or None."""
    try:
        return handed_proofs().loads(request.form.get("handed") or "")
    except BadSignature:
        return None


def was_handed(sentence_id):
    """Whether the submitted form proves the sentence was handed to the current user (so a
    save after their reservation ran out and was swept away can still be kept)."""
    return submitted_proof() == [current_user.id, sentence_id]


@bp.before_request
def same_account():
    """A workspace page opened by one account never saves under another: when someone else
    has logged in in the same browser since, the save is refused and the entries stay."""
    proof = submitted_proof() if request.method == "POST" else None
    if proof is None or not current_user.is_authenticated or proof[0] == current_user.id:
        return None
    opened_by = db.session.get(User, proof[0])
    message = (
        f"This page was opened by {opened_by.name if opened_by else 'another account'}, but "
        f"{current_user.name} is logged in in this browser now. Nothing was saved; your "
        "entries are still here. Log in again as the account that opened the page (in "
        "another tab), then press Enter."
    )
    if htmx:
        return message, 409, {REFUSED: "account"}
    return render_template("errors/error.html", heading="Another account", message=message), 409


def render_workspace(
    sentence,
    document,
    form,
    skip_form=None,
    message=None,
    status=200,
    entered=None,
    offer=None,
    previous=None,
):
    """The sentence in its article with the label form, progress and the way back;
    ``entered`` lists what a refused form held that the form no longer shows; ``offer`` the
    suggestions the form was filled with (or records, hidden); ``previous`` the sentence
    the way back leads to (by default the one labelled before this)."""
    scheme = scheme_of(document)
    asked_again = new_targets(sentence.id, scheme, form) if status < 400 else ()
    if htmx and status >= 400 and not in_background():
        status = 200  # htmx swaps only 2xx answers; the message is in the partial
    article = workspace.article_for(current_user.id, document.id)
    return page_or_partial(
        "annotate.html",
        "partials/sentence.html",
        status=status,
        push=url_for("annotate.sentence_page", sentence_id=sentence.id),
        sentence=sentence,
        document=document,
        paragraphs=article.paragraphs,
        form=form,
        skip_form=skip_form,
        scheme=scheme,
        blind=current_app.config["BLIND_OUTLET"],
        legend=workspace.key_legend(scheme),
        message=message,
        asked_again=asked_again,
        entered=entered,
        offer=offer,
        offer_token=token_of(offer, sentence.id),
        handed=handed_proofs().dumps([current_user.id, sentence.id]),
        mine=article.mine,
        project=workspace.project_progress(),
        entities=article.entities,
        # blind: the known outlets would name this article's among them
        outlets=() if current_app.config["BLIND_OUTLET"] else workspace.known_outlets(),
        previous=previous or workspace.previous_sentence(current_user.id, sentence.id),
    )


def new_targets(sentence_id, scheme, form):
    """The document's targets that my labels of this sentence do not answer (added since I
    labelled it, and the lead asked again): the workspace names them."""
    if not scheme.stance_targets or not form.revision.data:
        return ()  # nothing labelled yet: every target is new alike
    mine = db.session.execute(
        select(Annotation.labels, Annotation.skipped).where(
            Annotation.sentence_id == sentence_id, Annotation.annotator_id == current_user.id
        )
    ).first()
    if mine is None or mine.skipped:
        return ()  # a skip answered nothing: no target is new to it
    answered = (mine.labels or {}).get("stance") or {}
    return tuple(target for target in scheme.stance_targets if target not in answered)


def sentence_for_me(sentence_id):
    """The sentence, its document and my annotation of it, if the sentence is handed to the
    current user (a live lease, or for a save the form's proof) or labelled by them;
    else 404."""
    found = workspace.sentence_for(current_user.id, sentence_id)
    if found is None:
        abort(404)
    sentence, document, annotation, leased, suggestion = found
    if annotation is None and not leased and not was_handed(sentence_id):
        abort(404)
    return sentence, document, annotation, suggestion


def fresh_form(document, annotation, offer=None):
    """The label form for a sentence, filled with my labels, or the document's defaults and
    the suggestions the offer shows."""
    scheme = scheme_of(document)
    form = form_class(scheme)(formdata=None)
    fill(form, scheme, annotation, document, blind=current_app.config["BLIND_OUTLET"])
    if offer is not None and offer.shown:
        prefill(form, scheme, offer.fields)
    return form


def store(sentence_id, values, revision, annotation):
    """Save; htmx gets the next sentence in this response (one transaction), a plain form a
    redirect to it (POST-redirect-GET). ``revision``: the version the form showed (0: none
    yet), None when it does not say; ``annotation``: my annotation as it was stored before.
    A save sent again whose first sending was stored is answered as saved, not stored
    twice."""
    handed = was_handed(sentence_id)
    repeated = sent_again(annotation, values, revision)
    if not htmx:
        if not repeated:
            save(current_user.id, sentence_id, values, revision, handed)
        return redirect(url_for("annotate.next_sentence_page"))
    # the next continues the article of the sentence the page shows; a page that does not
    # say: of this one, on a first save the one labelled last (as rule c would read)
    after = shown_after() or (sentence_id if annotation is None else None)
    with answering():
        if repeated:
            next_id = next_sentence(current_user.id, holding(), after)
        else:
            next_id = save_and_next(
                current_user.id, sentence_id, values, revision, handed, holding(), after
            )
        response = show_next(next_id, previous=after)
    response.headers["X-Saved"] = str(sentence_id)  # durable: committed before the answer
    return response


def refused_save(
    refused,
    sentence,
    document,
    annotation,
    form,
    entered_labels,
    comment,
    entered_scheme=None,
    offer=None,
):
    """The workspace after a refused save. A stale form is replaced by the labels as saved,
    with what the annotator had entered listed where it differs (``entered_labels`` None:
    a skip; read under ``entered_scheme``, the targets the form asked, when they are no
    longer the document's); otherwise the form keeps the entries."""
    if not isinstance(refused, StaleForm):
        status = REFUSED_STATUS[type(refused)]
        return render_workspace(
            sentence, document, form, message=str(refused), status=status, offer=offer
        )
    if entered_labels is None:
        entered = [("skip", comment or "without a reason")]
    else:
        saved = annotation.labels if annotation and not annotation.skipped else {}
        entered_scheme = entered_scheme or scheme_of(document)
        entered = differences(entered_labels, saved, sentence.text, entered_scheme)
        if comment and comment != (annotation.comment if annotation else None):
            entered.append(("comment", comment))
    return render_workspace(
        sentence,
        document,
        fresh_form(document, annotation),
        message=str(refused),
        status=REFUSED_STATUS[type(refused)],
        entered=entered or [("labels", "the same as saved")],
    )


# What the browser says started a request (Sec-Fetch-Site) when it was not this site: a
# link on another site, or on another subdomain of this one.
FROM_ELSEWHERE = {"cross-site", "same-site"}


@bp.get("")
@annotate_access
def next_sentence_page():
    """Hand out the next sentence, or say that everything is done. A link on another site
    reserves nothing: the page asks to go on from here (browsers that do not say where a
    request came from are handed the sentence, as before)."""
    if request.headers.get("Sec-Fetch-Site") in FROM_ELSEWHERE:
        return render_template("go_on.html")
    return show_next(next_sentence(current_user.id))


def show_next(sentence_id, previous=None):
    """The workspace for a newly handed-out sentence, or the done page when it is None;
    ``previous``: where its way back leads (by default the sentence labelled before)."""
    if sentence_id is None:
        labelled, skipped = my_counts(current_user.id)
        return page_or_partial(
            "done.html",
            "partials/done.html",
            push=url_for("annotate.next_sentence_page"),
            labelled=labelled,
            skipped=skipped,
            mine=workspace.my_progress(current_user.id),
        )
    if not htmx:
        return redirect(url_for("annotate.sentence_page", sentence_id=sentence_id))
    # mostly a sentence I have not labelled; one asked again shows my labels to complete
    sentence, document, annotation, _, suggestion = workspace.sentence_for(
        current_user.id, sentence_id
    )
    return workspace_with_offer(sentence, document, annotation, suggestion, previous)


def workspace_with_offer(sentence, document, annotation, suggestion, previous=None):
    """The workspace for a sentence as it opens: my labels, or its suggestions."""
    offer = offer_for(sentence.id, annotation, suggestion, scheme_of(document))
    form = fresh_form(document, annotation, offer)
    return render_workspace(sentence, document, form, offer=offer, previous=previous)


@bp.post("/ahead")
@annotate_access
def ahead():
    """The next sentence, fetched while the current one is labelled (annotate.js shows it
    the moment that one is saved): leased like any other, never one the page holds."""
    after = shown_after()
    with answering():
        return show_next(next_sentence(current_user.id, holding(), after), previous=after)


@bp.get("/<int:sentence_id>/entity")
@annotate_access
def entity(sentence_id):
    """The source type and entity of a source the annotator marked (``?start=&end=``,
    offsets in the sentence), read in its article by the suggester's rules: JSON
    ``{"source_type", "entity"}`` (null for none). The workspace fills an untouched entity
    field with the entity, and a source type left at its default with the type."""
    sentence, document, _, _ = sentence_for_me(sentence_id)
    start, end = whole_number(request.args.get("start")), whole_number(request.args.get("end"))
    if start is None or end is None or not start < end <= len(sentence.text):
        abort(400, "?start= and ?end= must be offsets in the sentence, start before end.")
    texts = [other.text for part in workspace.paragraphs(document.id) for other in part]
    outlets = outlets_of(document.outlet)
    source_type, found = marked_source(texts, sentence.index, (start, end), outlets)
    return jsonify(source_type=source_type, entity=found)


@bp.post("/release")
@annotate_access
def release_held():
    """End the leases on sentences a page fetched ahead and will not show (the annotator
    left it), so that others get them now rather than when the leases run out."""
    release(current_user.id, holding())
    return "", 204


@bp.route("/<int:sentence_id>", methods=["GET", "POST"])
@annotate_access
def sentence_page(sentence_id):
    """Show the form for a sentence; on POST validate and save it, then go to the next one."""
    sentence, document, annotation, suggestion = sentence_for_me(sentence_id)
    scheme = scheme_of(document)
    if request.method == "GET":
        return workspace_with_offer(sentence, document, annotation, suggestion)
    offer = submitted_offer(sentence_id, offer_for(sentence_id, annotation, suggestion, scheme))
    form = form_class(scheme)()
    try:
        shown_with = asked_targets(form, scheme.stance_targets)
    except TargetProblem:
        abort(400)
    if shown_with != scheme.stance_targets:
        return targets_changed(sentence, document, annotation, form, shown_with)
    if not form.validate():
        return render_workspace(sentence, document, form, status=422, offer=offer)
    labels = labels_from(form, scheme)
    if current_app.config["BLIND_OUTLET"] and labels.get("outlet") is None:
        labels["outlet"] = document.outlet  # the article's own, which the annotator did not see
    errors = scheme.check(labels, len(sentence.text))
    if errors:
        show_errors(form, scheme, errors)
        return render_workspace(sentence, document, form, status=422, offer=offer)
    values = {
        "labels": keeping_unasked(labels, annotation.labels if annotation else None),
        "skipped": False,
        "flagged": form.flagged.data,
        "comment": (form.comment.data or "").strip() or None,
        "seconds": form.seconds.data,
    }
    if offer is not None:
        values["suggested"] = offer.provenance(labels, scheme)
    try:
        return store(sentence_id, values, whole_number(form.revision.data), annotation)
    except SaveRefused as refused:
        return refused_save(
            refused, sentence, document, annotation, form, labels, values["comment"], offer=offer
        )


def targets_changed(sentence, document, annotation, form, shown_with):
    """The answer to a form that asked other stance targets than the document has now:
    nothing is saved; the entries, read under the targets the form asked, are listed."""
    scheme = scheme_of(document)
    then = scheme.for_targets(shown_with)
    refused = TargetsChanged(shown_with, scheme.stance_targets)
    comment = (form.comment.data or "").strip() or None
    labels = labels_as_shown(form, request.form, scheme, then)
    return refused_save(refused, sentence, document, annotation, form, labels, comment, then)


@bp.post("/<int:sentence_id>/skip")
@annotate_access
def skip(sentence_id):
    """Skip a sentence (it goes to someone else), keeping the optional reason."""
    sentence, document, annotation, suggestion = sentence_for_me(sentence_id)
    skip_form = SkipForm()
    if not skip_form.validate():
        offer = offer_for(sentence_id, annotation, suggestion, scheme_of(document))
        form = fresh_form(document, annotation, offer)
        return render_workspace(
            sentence, document, form, skip_form=skip_form, status=422, offer=offer
        )
    values = {
        "labels": {},
        "skipped": True,
        "flagged": False,
        "comment": (skip_form.reason.data or "").strip() or None,
        "seconds": None,
    }
    try:
        return store(sentence_id, values, whole_number(skip_form.revision.data), annotation)
    except SaveRefused as refused:
        offer = offer_for(sentence_id, annotation, suggestion, scheme_of(document))
        form = fresh_form(document, annotation, offer)
        return refused_save(
            refused, sentence, document, annotation, form, None, values["comment"], offer=offer
        )


@bp.get("/history")
@annotate_access
def history():
    """My annotations, newest first, each reopening in the workspace."""
    page = page_number()
    rows = db.session.execute(
        history_of(current_user.id).limit(HISTORY_PAGE + 1).offset((page - 1) * HISTORY_PAGE)
    ).all()
    return render_template(
        "history.html", rows=rows[:HISTORY_PAGE], page=page, more=len(rows) > HISTORY_PAGE
    )


@bp.get("/guidelines")
@annotate_access
def guidelines():
    """The annotation guidelines (the project lead's Markdown file, rendered)."""
    return page_or_partial(
        "guidelines.html", "partials/guidelines.html", html=rendered_guidelines()
    )


@bp.get("/annotations/<int:annotation_id>")
@annotate_access
def open_annotation(annotation_id):
    """Reopen one of my annotations; other people's do not exist for me (404)."""
    annotation = db.session.get(Annotation, annotation_id)
    if annotation is None or annotation.annotator_id != current_user.id:
        abort(404)
    return redirect(url_for("annotate.sentence_page", sentence_id=annotation.sentence_id))
