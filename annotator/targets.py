"""Stance targets belong to the article: each document has its own ordered list (what its
sentences are labelled for stance towards), set at import and changed by the lead; the
scheme's ``targets`` are the default for a document imported without any.

A target an annotation has no value for was not asked (it was added to the document later),
which differs from ``none`` (asked, not addressed). Removing a target only stops asking it:
the values given stay in the annotations, their revisions and the gold."""

from typing import NamedTuple

from flask import current_app
from sqlalchemy import select, update

from .database import writing
from .extensions import db
from .models import Annotation, Document, Gold, Sentence
from .text import plain

LONGEST = 80  # characters: a target is a short name (a country, a party, a policy)
GROUP = "stance"  # the labels object's per-target group


class TargetProblem(ValueError):
    """A list of targets that cannot be stored, with what is wrong and how to fix it."""


class HasLabels(TargetProblem):
    """Targets that would be removed hold labels: refused unless forced. ``counts``:
    {target: (annotations, gold labels) with a value for it}."""

    def __init__(self, document_id, counts):
        self.counts = counts
        held = "; ".join(f"{target!r} has {given(*n)}" for target, n in counts.items())
        super().__init__(f"{document_id}: {held}")


def problem(target):
    """What is wrong with one (trimmed) target name, or None: it must be non-empty, at most
    80 characters, and free of control, bidirectional and invisible characters."""
    if not target:
        return "is empty; give a name such as 'Armenia'"
    if plain(target) != target:
        return f"({target!r}) holds control or invisible characters"
    if len(target) > LONGEST:
        return f"is {len(target)} characters long; a target is at most {LONGEST}"
    return None


def checked(names, where="targets"):
    """``names`` (an iterable of strings) as a tuple of targets, or TargetProblem: each is
    trimmed, must pass ``problem`` and be given once (compared without case)."""
    targets, seen = [], {}
    for number, name in enumerate(names, start=1):
        if not isinstance(name, str):
            raise TargetProblem(
                f"{where}: item {number} must be a string, not {type(name).__name__}"
            )
        target = name.strip()
        if wrong := problem(target):
            raise TargetProblem(f"{where}: item {number} {wrong}")
        if target.casefold() in seen:
            raise TargetProblem(
                f"{where}: {target!r} is given twice (items {seen[target.casefold()]} and {number})"
            )
        seen[target.casefold()] = number
        targets.append(target)
    return tuple(targets)


def one(name, where):
    """A single target name (``--add``, ``--remove``), trimmed, or TargetProblem."""
    target = name.strip()
    if wrong := problem(target):
        raise TargetProblem(f"{where}: the target {wrong}")
    return target


def from_option(value, where="--targets"):
    """Targets written on the command line, comma-separated (``"Azerbaijan,Armenia"``); an
    empty value is no targets."""
    return checked(value.split(",") if value.strip() else [], where)


def of(document, scheme):
    """A document's targets: its own, or the scheme's when it has none recorded (a row
    written before targets were stored)."""
    targets = getattr(document, "targets", None)
    return tuple(targets) if targets is not None else scheme.stance_targets


def every(scheme):
    """The scheme with every document's targets: the scheme's own first, then the others in
    the order documents were imported. Agreement, the disagreement list and the export read
    all documents through it; a target a document lacks is unset in its labels, not
    ``none``, so it counts for that document's sentences only."""
    found = dict.fromkeys(scheme.stance_targets)
    for targets in db.session.scalars(
        select(Document.targets).where(Document.targets.is_not(None)).order_by(Document.seq)
    ):
        found.update(dict.fromkeys(targets))
    return scheme.for_targets(found)


def scheme_of(document, scheme=None):
    """The label scheme for a sentence of ``document`` (a row with its ``targets``): one
    stance row per target of its. ``scheme``: the project's, by default."""
    scheme = scheme or current_app.extensions["scheme"]
    return scheme.for_targets(of(document, scheme))


def asked(field, column):
    """A field's values from every annotation, less those of annotators who were not asked
    it (a stance target added to the document after they labelled: its value is unset)."""
    if field.target is None:
        return column
    return [value for value in column if value is not None]


def keeping_unasked(labels, saved):
    """``labels`` from a form, plus the values ``saved`` holds for targets the form did not
    ask (targets removed from the document since): an edit keeps what was answered."""
    kept = (saved or {}).get(GROUP)
    if not isinstance(kept, dict):
        return labels
    asked = labels.get(GROUP) or {}
    kept = {target: value for target, value in kept.items() if target not in asked}
    return {**labels, GROUP: {**asked, **kept}} if kept else labels


def answered(labels, target):
    """Whether a labels object holds a value for ``target`` (not: not asked)."""
    group = labels.get(GROUP) if isinstance(labels, dict) else None
    return isinstance(group, dict) and group.get(target) is not None


def given(annotations, gold):
    """``3 annotations and 1 gold label`` (the parts that are not zero)."""
    parts = [(annotations, "annotation"), (gold, "gold label")]
    return " and ".join(f"{n} {word}{'s' if n != 1 else ''}" for n, word in parts if n)


def unknown(document_id):
    """The line for a document id that does not exist."""
    return f"no document {document_id!r}; `flask documents` lists the ids"


def label_counts(document_id, names):
    """{target: (annotations, gold labels) of the document holding a value for it} for
    each of ``names``, and how many annotations (skips aside) the document has."""
    sentences = select(Sentence.id).where(Sentence.document_id == document_id)
    annotations = db.session.scalars(
        select(Annotation.labels).where(
            Annotation.sentence_id.in_(sentences), Annotation.skipped.is_(False)
        )
    ).all()
    golds = db.session.scalars(select(Gold.labels).where(Gold.sentence_id.in_(sentences))).all()
    counts = {
        name: (
            sum(answered(labels, name) for labels in annotations),
            sum(answered(labels, name) for labels in golds),
        )
        for name in names
    }
    return counts, len(annotations)


def ask_again(document_id, wanted, requeue):
    """With ``requeue``, mark the document's annotations that lack a value for one of the
    ``wanted`` targets as asked again; unmark those that lack none (a target removed
    before it was answered). Returns (annotations, annotators) marked now."""
    rows = db.session.execute(
        select(Annotation.id, Annotation.annotator_id, Annotation.labels, Annotation.asked_again)
        .join(Sentence, Sentence.id == Annotation.sentence_id)
        .where(Sentence.document_id == document_id, Annotation.skipped.is_(False))
    ).all()
    lacking = {row.id for row in rows if not all(answered(row.labels, t) for t in wanted)}
    was = {row.id for row in rows if row.asked_again}
    now = ((was | lacking) if requeue else was) & lacking
    for value, ids in ((True, now - was), (False, was - now)):
        if ids:
            db.session.execute(
                update(Annotation).where(Annotation.id.in_(ids)).values(asked_again=value)
            )
    return len(now), len({row.annotator_id for row in rows if row.id in now})


class Change(NamedTuple):
    """What ``change`` did to a document's targets."""

    document_id: str
    before: tuple
    after: tuple
    annotations: int  # the document's annotations, skips aside
    added: dict  # {added target: annotations with a value for it (it was there before)}
    removed: dict  # {removed target: (annotations, gold labels) keeping a value for it}
    asked_again: tuple  # (annotations, annotators) marked to be asked again
    requeued: bool  # whether this change asked them again

    def lines(self):
        """What changed, for the terminal and the document page."""
        now = f"targets {', '.join(self.after)}" if self.after else "no targets"
        if self.before == self.after:
            yield f"{self.document_id}: {now}, unchanged."
        else:
            yield f"{self.document_id}: {now} (were {', '.join(self.before) or 'none'})."
        for target, held in self.added.items():
            lacking = self.annotations - held
            if lacking:
                many = lacking != 1
                they = "they are" if many else "it is"
                tail = "." if self.requeued else f"; {they} not asked again."
                yield (
                    f"{target!r}: {lacking} earlier annotation{'s' * many} of this document "
                    f"{'have' if many else 'has'} no value for it (not asked, which is not "
                    f"'none'){tail}"
                )
        for target, counts in self.removed.items():
            if any(counts):
                yield f"{target!r} is no longer asked; its values stay in {given(*counts)}."
        annotations, annotators = self.asked_again
        if annotations and self.requeued:
            yield (
                f"Asked again: {annotations} annotation{'s' if annotations != 1 else ''} by "
                f"{annotators} annotator{'s' if annotators != 1 else ''}, each handed back to "
                "its annotator before any new sentence."
            )


def change(document_id, wanted, force=False, requeue=False):
    """Give a document the targets ``wanted`` (already checked), in one transaction.
    Removing a target that holds labels (an annotation's or the gold's value) raises
    HasLabels unless ``force``; its values stay. With ``requeue``, the annotations lacking
    a target are asked again (``ask_again``). Returns a Change; raises TargetProblem."""
    wanted = tuple(wanted)
    with writing():
        document = db.session.get(Document, document_id, with_for_update=True)
        if document is None:
            raise TargetProblem(unknown(document_id))
        before = of(document, current_app.extensions["scheme"])
        added = [target for target in wanted if target not in before]
        removed = [target for target in before if target not in wanted]
        counts, annotations = label_counts(document_id, added + removed)
        held = {target: counts[target] for target in removed if any(counts[target])}
        if held and not force:
            raise HasLabels(document_id, held)
        if wanted != before or document.targets is None:
            document.targets = list(wanted)
        marked = ask_again(document_id, wanted, requeue)
    return Change(
        document_id,
        before,
        wanted,
        annotations,
        {target: counts[target][0] for target in added},
        {target: counts[target] for target in removed},
        marked,
        requeue,
    )
