"""Shared test helpers (imported by tests; fixtures live in conftest.py)."""

import json
from html.parser import HTMLParser

from sqlalchemy import select

from annotator.extensions import db
from annotator.importing import import_files
from annotator.models import Sentence


def import_texts(tmp_path, *articles):
    """Import articles given as lists of sentences; returns their sentence ids per article."""
    path = tmp_path / "articles.jsonl"
    path.write_text(
        "".join(
            json.dumps({"id": f"doc{n}", "text": " ".join(sentences), "outlet": "Wire"}) + "\n"
            for n, sentences in enumerate(articles)
        )
    )
    import_files([path])
    return [
        db.session.scalars(
            select(Sentence.id).where(Sentence.document_id == f"doc{n}").order_by(Sentence.index)
        ).all()
        for n in range(len(articles))
    ]


def labels(claim="not_claim", source_type="author", **extra):
    """A valid labels object under the default scheme."""
    return {
        "claim": claim,
        "attribution": {"source_type": source_type, "entity": None, "source": None, "cue": None},
        "stance": {"Azerbaijan": "none", "Armenia": "none"},
        "outlet": "Wire",
        **extra,
    }


def label_values(**kwargs):
    """Annotation column values for ``labelling.save``."""
    return {"labels": labels(**kwargs), "skipped": False, "flagged": False, "comment": None,
            "seconds": 1.0}  # fmt: skip


def skip_values(reason=None):
    """Annotation column values of a skip."""
    return {"labels": {}, "skipped": True, "flagged": False, "comment": reason, "seconds": None}


class RenderedForms(HTMLParser):
    """The POST forms of a page as a browser would submit them: action, the fields with
    their rendered values (checked radios and boxes only), the radio groups, and whether
    htmx sends it (``hx-post``, with the page's ``hx-headers``)."""

    def __init__(self, page_url):
        super().__init__()
        self.page_url, self.forms, self.headers, self.open_form = page_url, [], {}, None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "hx-headers" in attrs:
            self.headers = json.loads(attrs["hx-headers"])
        if tag == "form" and (attrs.get("method", "get").lower() == "post" or "hx-post" in attrs):
            self.open_form = {
                "action": attrs.get("hx-post") or attrs.get("action") or self.page_url,
                "htmx": "hx-post" in attrs,
                "fields": [],
                "radios": {},
            }
            self.forms.append(self.open_form)
        if self.open_form is None or "name" not in attrs:
            return
        kind = attrs.get("type", "text")
        if tag == "input" and kind == "radio":
            self.open_form["radios"].setdefault(attrs["name"], []).append(attrs.get("value"))
            if "checked" in attrs:
                self.open_form["fields"].append((attrs["name"], attrs.get("value")))
        elif tag == "input" and kind == "checkbox":
            if "checked" in attrs:
                self.open_form["fields"].append((attrs["name"], attrs.get("value", "on")))
        elif tag == "input" and kind not in ("submit", "button"):
            self.open_form["fields"].append((attrs["name"], attrs.get("value") or ""))
        elif tag == "textarea":
            self.textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea is not None:
            self.open_form["fields"].append(tuple(self.textarea))
            self.textarea = None
        elif tag == "form":
            self.open_form = None


def rendered_forms(page_url, html):
    """``(forms, hx_headers)`` of a page; see RenderedForms."""
    parser = RenderedForms(page_url)
    parser.feed(html)
    return parser.forms, parser.headers
