"""Stance targets belong to the article: each document has its own ordered list (what its
sentences are labelled for stance towards), set at import and changed by the lead; the
scheme's ``targets`` are the default for a document imported without any."""

from sqlalchemy import select

from .extensions import db
from .models import Document
from .text import plain

LONGEST = 80  # characters: a target is a short name (a country, a party, a policy)


class TargetProblem(ValueError):
    """A list of targets that cannot be stored, with what is wrong and how to fix it."""


def checked(names, where="targets"):
    """``names`` (an iterable of strings) as a tuple of targets, or TargetProblem: each is
    trimmed and must be non-empty, at most 80 characters, free of control, bidirectional and
    invisible characters, and given once (compared without case)."""
    targets, seen = [], {}
    for number, name in enumerate(names, start=1):
        if not isinstance(name, str):
            raise TargetProblem(
                f"{where}: item {number} must be a string, not {type(name).__name__}"
            )
        target = name.strip()
        if not target:
            raise TargetProblem(f"{where}: item {number} is empty; give a name such as 'Armenia'")
        if plain(target) != target:
            raise TargetProblem(
                f"{where}: item {number} ({target!r}) holds control or invisible characters"
            )
        if len(target) > LONGEST:
            raise TargetProblem(
                f"{where}: item {number} is {len(target)} characters long; "
                f"a target is at most {LONGEST}"
            )
        if target.casefold() in seen:
            raise TargetProblem(
                f"{where}: {target!r} is given twice (items {seen[target.casefold()]} and {number})"
            )
        seen[target.casefold()] = number
        targets.append(target)
    return tuple(targets)


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
