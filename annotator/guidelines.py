"""The annotation guidelines: a Markdown file the project lead edits, rendered as HTML."""

from pathlib import Path

from flask import current_app
from markdown_it import MarkdownIt
from markupsafe import Markup

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT = PROJECT / "seeds" / "guidelines.md"
MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")


def guidelines_path():
    """``GUIDELINES_FILE`` if set, else ``seeds/guidelines.md``; a relative path is taken from
    the project folder, as the default is, whichever folder the server was started in."""
    return PROJECT / (current_app.config.get("GUIDELINES_FILE") or DEFAULT)


def rendered_guidelines():
    """The guidelines as safe HTML (raw HTML in the file is shown as text), re-read when the
    file changes; a clear note when it is missing."""
    path = guidelines_path()
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return Markup(
            "<p>No guidelines yet: the project lead can write them in <code>{}</code> "
            "(Markdown) or point <code>GUIDELINES_FILE</code> at a file.</p>"
        ).format(path)
    cache = current_app.extensions.setdefault("guidelines", {})
    if cache.get("stamp") != (path, stamp):
        cache["stamp"] = (path, stamp)
        cache["html"] = Markup(MARKDOWN.render(path.read_text(encoding="utf-8")))
    return cache["html"]
