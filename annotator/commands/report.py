"""How ``flask import --dry-run`` and ``flask show`` report a document's import: its metadata
and where each piece came from, each line the cleaning removed and why, the lines kept."""

import shlex

from ..importing.readers import file_of
from ..text import shown

FIELDS = ("id", "title", "outlet", "publisher", "published", "url", "author")


def document_report(document, sentences, outcome=None):
    """Lines for a terminal about ``document`` (a mapping of a ``documents`` row): a header
    with its id, title and sentence count (and ``outcome``, what the import does with it),
    one line per metadata field with where it came from, one per removed line with its
    reason, one per kept line."""
    title = document["title"] or "(no title)"
    yield shown(
        f"{document['id']}: {title} — {sentences} sentences" + (f", {outcome}" if outcome else "")
    )
    sources = document["sources"] or {}
    for name in FIELDS:
        value = document[name]
        if value is None:
            yield f"  {name:<10} -"
            continue
        where = f"  (from {sources[name]})" if name in sources else ""
        yield shown(f"  {name:<10} {value}{where}")
    if document.get("targets") is not None:
        where = f"  (from {sources['targets']})" if "targets" in sources else ""
        yield shown(f"  {'targets':<10} {', '.join(document['targets']) or '(none)'}{where}")
    yield shown(f"  {'source':<10} {document['source'] or '-'}")
    if document["removed"] is None:
        yield "  removed    not recorded (imported before this was kept, or read from an export)"
        return
    if not document["removed"]:
        yield "  removed    nothing"
    for cut in document["removed"]:
        yield shown(f"  removed    [{cut['reason']}] {cut['text']}")
    for line in document["kept_lines"] or ():
        yield shown(f"  kept       {line}")


def restore_hint(document, annotations):
    """How to bring a removed line of ``document`` back: import its file again with
    ``--replace`` and ``--keep-line`` (the lines kept before named again)."""
    path = file_of(document["source"]) if document["source"] else None
    source = shlex.quote(path) if path else "FILE"
    kept = "".join(f" --keep-line {shlex.quote(line)}" for line in document["kept_lines"] or ())
    lines = [f"To keep a removed line: flask import {source} --replace{kept} --keep-line 'LINE'"]
    if path and path.lower().endswith((".jsonl", ".json")):
        lines.append('  (or list it in the record\'s "keep_lines")')
    if annotations:
        lines.append(
            f"  but --replace refuses this document: it has {annotations} annotations "
            "(export them first, or import the file again under another id with the line "
            "kept)"
        )
    return [shown(line) for line in lines]
