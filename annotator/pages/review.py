"""Pages for reviewers: how far the annotators agree, per field, outlet and annotator; where
they disagree, settled into gold labels; and what they flagged or skipped."""

from functools import cache
from operator import itemgetter
from types import SimpleNamespace

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from .. import targets, workspace
from ..adjudication import save_gold
from ..agreement.cache import figures_cache
from ..agreement.data import span_names
from ..agreement.figures import RELIABLE, TENTATIVE, figure, reliability
from ..agreement.report import GROUPINGS
from ..disagreements import (
    DEFAULT_ORDER,
    ORDERS,
    annotations_of,
    counts,
    disputed_fields,
    gold_for,
    gold_of,
    labellers,
    next_unsettled,
    page_of,
)
from ..extensions import db
from ..labelling import TargetsChanged
from ..models import Document, Sentence
from ..queries import count_of
from ..remarks import KINDS, remark_counts, remarked_sentences, remarks_on
from ..sending_back import SendBackRefused, others, send_back, waiting_for
from ..text import plain_lines
from . import page_or_partial
from .auth import roles_required
from .forms import (
    asked_targets,
    fill,
    form_class,
    labels_as_shown,
    labels_from,
    show_errors,
)
from .incoming import page_number
from .showing import differences, free_text, shown_fields, shown_labels

bp = Blueprint("review", __name__, url_prefix="/review")
staff_only = roles_required("reviewer", "admin")
bp.add_app_template_filter(figure)
bp.add_app_template_global(reliability)  # also the CSS class of an alpha
bp.add_app_template_global(RELIABLE, "RELIABLE")
bp.add_app_template_global(TENTATIVE, "TENTATIVE")


FIGURE_NAMES = {
    "percent": "percent",
    "alpha": "α",
    "alpha_ci95": "α interval",
    "fleiss_kappa": "Fleiss κ",
    "ac1": "AC1",
    "cohen_kappa": "Cohen κ",
    "f1_exact": "F1 exact",
    "f1_overlap": "F1 overlap",
}


@bp.app_template_global()
def grouped_reasons(why):
    """[(reason, [figure names])]: the figures that are missing for the same reason."""
    grouped = {}
    for key, reason in why.items():
        grouped.setdefault(reason, []).append(FIGURE_NAMES.get(key, key))
    return list(grouped.items())


@bp.app_template_global()
def largest(matrix):
    """The largest value of a matrix (None cells ignored), at least 1e-9: a colour scale."""
    values = [value for row in matrix for value in row if value is not None]
    return max([*values, 1e-9])


@bp.app_template_global()
def pair_matrix(pairs):
    """(names, rows) of a ``{"a|b": value}`` dict: a symmetric annotator by annotator
    matrix, None on the diagonal and for pairs that share no item."""
    names = sorted({name for pair in pairs for name in pair.split("|")})
    rows = [[None] * len(names) for _ in names]
    position = {name: i for i, name in enumerate(names)}
    for pair, value in pairs.items():
        a, b = (position[name] for name in pair.split("|"))
        rows[a][b] = rows[b][a] = value
    return names, rows


@bp.get("/agreement")
@staff_only
def agreement():
    """Agreement per field (and per outlet or annotator with ``?by=``), from the cache of
    figures; new figures are computed in the background while the last ones are shown."""
    by = request.args.get("by") or None
    message = None
    if by not in (None, *GROUPINGS):
        message = f"There is no grouping {by!r}; showing the whole project."
        by = None
    cache = figures_cache()
    entry, current = cache.figures(by)
    return page_or_partial(
        "review/agreement.html",
        "partials/agreement.html",
        entry=entry,
        current=current,
        computing=cache.computing(by),
        by=by,
        groupings=GROUPINGS,
        span_fields=span_names(current_app.extensions["scheme"]),
        message=message,
        here=url_for("review.agreement", by=by),
    )


FILTERS = ("field", "target", "outlet", "annotator", "document", "flagged")
PAGE = 50


def chosen_filters():
    """The disagreement filters given in the query string."""
    return {name: request.args.get(name) or None for name in FILTERS}


def chosen_order():
    """The queue order given in the query string (most disputed first by default)."""
    order = request.args.get("order")
    return order if order in ORDERS else DEFAULT_ORDER


def carried():
    """The filters and order to carry in links from one review page to the next."""
    found = {name: value for name, value in chosen_filters().items() if value}
    if chosen_order() != DEFAULT_ORDER:
        found["order"] = chosen_order()
    return found


@bp.get("/disagreements")
@staff_only
def disagreement_list():
    """Sentences whose annotators disagree, filterable, most disputed first; the fields
    and targets to filter by are those of every document."""
    every = targets.every(current_app.extensions["scheme"])
    filters, order = chosen_filters(), chosen_order()
    page = page_number()
    found = page_of(filters, order, (page - 1) * PAGE, PAGE + 1)
    more, shown = len(found) > PAGE, found[:PAGE]
    total, settled, uncounted = counts(filters)
    texts = {d.sentence_id: d.text for d in shown}
    golds = {
        gold.sentence_id: (shown_fields(gold.labels, every, texts[gold.sentence_id]), gold, name)
        for gold, name in db.session.execute(gold_of(list(texts)))
    }
    return render_template(
        "review/disagreements.html",
        found=shown,
        golds=golds,
        sent_back=waiting_for(list(texts)),
        free_text=free_text(every),
        total=total,
        settled=settled,
        uncounted=uncounted,
        page=page,
        more=more,
        filters=filters,
        order=order,
        orders=ORDERS,
        active=carried(),
        fields=every.names,
        targets=every.stance_targets,
        # a target no document has (removed since, or mistyped in a link) filters nothing in
        unknown_target=filters.get("target") not in (None, *every.stance_targets),
        outlets=workspace.known_outlets(),
        annotators=db.session.scalars(labellers()).all(),
    )


@bp.get("/flagged")
@staff_only
def flagged_list():
    """Sentences annotators flagged for review or skipped, with what they wrote, in document
    order; ``?kind=flagged`` or ``skipped`` for one of the two."""
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else None
    page = page_number()
    found = remarked_sentences(kind)
    sentences = db.session.execute(found.limit(PAGE + 1).offset((page - 1) * PAGE)).all()
    more, sentences = len(sentences) > PAGE, sentences[:PAGE]
    ids = [sentence.id for sentence in sentences]
    remarks = {}
    for sentence_id, name, annotation in db.session.execute(remarks_on(ids, kind)):
        remarks.setdefault(sentence_id, []).append((name, annotation))
    return render_template(
        "review/flagged.html",
        sentences=sentences,
        remarks=remarks,
        golds={gold.sentence_id: (gold, name) for gold, name in db.session.execute(gold_of(ids))},
        total=db.session.scalar(count_of(found)),
        counts=db.session.execute(remark_counts()).one(),
        kind=kind,
        kinds=KINDS,
        page=page,
        more=more,
    )


@cache
def gold_form_class(scheme):
    """The label form plus a note, for gold labels."""

    class GoldForm(form_class(scheme)):
        note = TextAreaField(
            "Note", filters=[plain_lines], validators=[Optional(), Length(max=5000)]
        )

    return GoldForm


class SendBackForm(FlaskForm):
    """Send a sentence back to its annotators, or to another, with a note."""

    annotators = SelectMultipleField(
        "Its annotators",
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    # any active account id (send_back checks it); "" for nobody
    newcomer = SelectField(
        "Or one who has not seen it",
        coerce=lambda value: int(value) if value else None,
        validate_choice=False,
    )
    note = TextAreaField(
        "Note",
        filters=[plain_lines],
        validators=[
            DataRequired("Write what the annotators should look at again: they see it above "
                         "the sentence."),
            Length(max=5000),
        ],
    )  # fmt: skip


def send_back_form(sentence_id, given, posted=False):
    """The send-back form of a sentence, offering the annotators who labelled it
    (``given``: (name, Annotation)), all ticked, and every active annotator who has not;
    ``posted``: read from the request."""
    form = SendBackForm() if posted else SendBackForm(formdata=None)
    form.annotators.choices = [(a.annotator_id, name) for name, a in given]
    if not posted:  # to all of them, unless the reviewer unticks some
        form.annotators.data = [a.annotator_id for _, a in given]
    form.newcomer.choices = [("", "nobody")] + [(u.id, u.name) for u in others(sentence_id)]
    return form


def render_review(
    sentence,
    document,
    form,
    status=200,
    prefilled=None,
    message=None,
    entered=None,
    send_form=None,
):
    """The review view of one sentence: article, labels side by side (one stance row per
    target of its document), the gold form (``prefilled``: whose labels it starts from,
    said above it; ``message`` and ``entered``: why a save was refused and what it held),
    and the form that sends it back to annotators (``send_form``: as posted, if refused)."""
    scheme = targets.scheme_of(document)
    given = annotations_of(sentence.id)
    rows = [(name, a, shown_labels(a.labels, scheme, sentence.text)) for name, a in given]
    remarks = [(name, a) for name, a in given if a.flagged or a.comment]
    remarks = sorted(remarks + annotations_of(sentence.id, skipped=True), key=itemgetter(0))
    gold = db.session.scalar(gold_for(sentence.id))
    gold_shown = shown_labels(gold.labels, scheme, sentence.text) if gold else None
    every_shown = [shown for _, _, shown in rows] + ([gold_shown] if gold else [])
    differing = set(disputed_fields(sentence.id))
    return (
        render_template(
            "review/sentence.html",
            sentence=sentence,
            document=document,
            paragraphs=workspace.paragraphs(sentence.document_id),
            fields=scheme.names,
            rows=rows,
            remarks=remarks,
            differing=differing,
            gold=gold,
            gold_shown=gold_shown,
            free_text=free_text(scheme),
            any_span=any(shown.pieces for shown in every_shown),
            form=form,
            prefilled=prefilled,
            message=message,
            entered=entered,
            scheme=scheme,
            unasked=unasked_by_all(scheme, sentence.id, gold),
            active=carried(),
            following=next_unsettled(sentence.id, chosen_filters(), chosen_order()),
            send_form=send_form or send_back_form(sentence.id, given),
            send_open=send_form is not None,
            sent_back=waiting_for([sentence.id]).get(sentence.id, []),
        ),
        status,
    )


@bp.route("/sentences/<int:sentence_id>", methods=["GET", "POST"])
@staff_only
def review_sentence(sentence_id):
    """Every annotator's labels side by side, and the gold form (prefilled with the gold, or
    with the first annotator's labels)."""
    sentence = db.session.get(Sentence, sentence_id) or abort(404)
    document = db.session.get(Document, sentence.document_id)
    scheme = targets.scheme_of(document)
    gold = db.session.scalar(gold_for(sentence_id))
    if request.method == "GET":
        form, _, prefilled = starting_form(sentence_id, document, gold)
        return render_review(sentence, document, form, prefilled=prefilled)
    form = gold_form_class(scheme)()
    try:
        shown_with = asked_targets(form, scheme.stance_targets)
    except targets.TargetProblem:
        abort(400)
    if shown_with != scheme.stance_targets:
        return targets_changed(sentence, document, gold, form, shown_with)
    if not form.validate():
        return render_review(sentence, document, form, 422)
    # a target no annotator was asked stays unasked in the gold unless the reviewer answers it
    unasked = unasked_by_all(scheme, sentence_id, gold)
    left_unasked = [
        field.target
        for field in scheme.fields
        if field.target in unasked and not form[field.input].raw_data
    ]
    labels = labels_from(form, scheme)
    errors = scheme.check(labels, len(sentence.text))
    if errors:
        show_errors(form, scheme, errors)
        return render_review(sentence, document, form, 422)
    for target in left_unasked:
        labels["stance"].pop(target, None)
    labels = targets.keeping_unasked(labels, gold.labels if gold else None)
    return settle(sentence_id, labels, (form.note.data or "").strip() or None)


def unasked_by_all(scheme, sentence_id, gold):
    """The document's targets that no annotation of the sentence (nor its gold) answers:
    added after it was labelled, and not asked again yet."""
    answered = set()
    for labels in [a.labels for _, a in annotations_of(sentence_id)] + [
        gold.labels if gold else {}
    ]:
        answered.update((labels or {}).get("stance") or {})
    return [target for target in scheme.stance_targets if target not in answered]


def starting_form(sentence_id, document, gold):
    """A gold form under the document's targets, filled with the gold labels and note, else
    with the first annotator's labels; (form, the labels it holds, whose they are)."""
    scheme = targets.scheme_of(document)
    form = gold_form_class(scheme)(formdata=None)
    given = annotations_of(sentence_id)
    source = gold or (given[0][1] if given else None)
    fill(form, scheme, as_annotation(source.labels) if source else None, document)
    unasked = unasked_by_all(scheme, sentence_id, gold)
    for field in scheme.fields:
        if field.target in unasked:
            form[field.input].data = None  # left unselected: it stays unasked
    form.note.data = gold.note if gold else None
    prefilled = "the gold labels" if gold else (f"{given[0][0]}'s labels" if given else None)
    return form, source.labels if source else {}, prefilled


def targets_changed(sentence, document, gold, posted, shown_with):
    """The answer to a gold form that asked other stance targets than the document has now:
    nothing is saved; a fresh form, and the entries (read under the targets the form asked)
    listed where they differ from the labels it starts from."""
    scheme = targets.scheme_of(document)
    then = scheme.for_targets(shown_with)
    form, source, prefilled = starting_form(sentence.id, document, gold)
    form.note.data = posted.note.data
    entered = labels_as_shown(posted, request.form, scheme, then)
    listed = differences(entered, source, sentence.text, then)
    message = str(TargetsChanged(shown_with, scheme.stance_targets))
    return render_review(sentence, document, form, 409, prefilled, message, listed)


def as_annotation(labels):
    """Stored labels in the shape ``forms.fill`` reads."""
    return SimpleNamespace(labels=labels, skipped=False, flagged=False, comment=None, revision=None)


@bp.post("/sentences/<int:sentence_id>/take/<name>")
@staff_only
def take(sentence_id, name):
    """Make one annotator's labels the gold labels."""
    chosen = dict((n, a) for n, a in annotations_of(sentence_id)).get(name) or abort(404)
    note = plain_lines(request.form.get("note") or "").strip() or None
    return settle(sentence_id, chosen.labels, note)


@bp.post("/sentences/<int:sentence_id>/send-back")
@staff_only
def send_back_sentence(sentence_id):
    """Send the sentence back to annotators with a note instead of deciding it; then on to
    the next unsettled disagreement."""
    sentence = db.session.get(Sentence, sentence_id) or abort(404)
    document = db.session.get(Document, sentence.document_id)
    form = send_back_form(sentence_id, annotations_of(sentence_id), posted=True)
    message = None
    if form.validate():
        chosen = [*form.annotators.data, *([form.newcomer.data] if form.newcomer.data else [])]
        try:
            names = send_back(sentence_id, chosen, current_user.id, form.note.data.strip())
        except SendBackRefused as refused:
            message = str(refused)
        else:
            flash(f"Sent back to {', '.join(names)}: they get it first, with your note.")
            return to_next(sentence_id)
    gold = db.session.scalar(gold_for(sentence_id))
    gold_form, _, prefilled = starting_form(sentence_id, document, gold)
    return render_review(sentence, document, gold_form, 422, prefilled, message, send_form=form)


def settle(sentence_id, labels, note):
    """Save gold, then go on to the next unsettled disagreement (or back to the list)."""
    save_gold(sentence_id, labels, "reviewer", current_user.id, note)
    flash("Gold labels saved.")
    return to_next(sentence_id)


def to_next(sentence_id):
    """Go on to the next unsettled disagreement of the list (or back to the list)."""
    following = next_unsettled(sentence_id, chosen_filters(), chosen_order())
    if following is None:
        return redirect(url_for("review.disagreement_list", **carried()))
    return redirect(url_for("review.review_sentence", sentence_id=following, **carried()))
