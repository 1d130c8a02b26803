"""The review page's figures: computed in a background thread, kept until annotations change.

Computing every figure of a large project takes seconds, and annotators change the data all
day; a reviewer should never wait for it. So the page always answers at once with the last
figures computed (saying how old they are), and when the annotations have changed since, a
background thread computes new ones — one at a time per grouping and per process — and the
page picks them up when they are ready.

The annotations' "stamp" (count, newest id, newest change) and the documents' stance targets
tell whether figures are current: adding a target to a document changes no annotation, yet
it changes which sentences the target counts on.
"""

import hashlib
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import Text, func, select, type_coerce

from ..extensions import db
from ..models import Annotation, Document, utcnow
from .report import Options, ReportError, report


@dataclass
class Entry:
    """Figures (or the error that prevented them) for one stamp of the annotations."""

    stamp: tuple
    figures: dict | None
    error: str | None
    computed: datetime
    seconds: float


def stamp():
    """What changes whenever an annotation is added, edited or skipped, or a document's
    stance targets change (a digest of them all: a few bytes per document)."""
    annotations = db.session.execute(
        select(func.count(), func.max(Annotation.id), func.max(Annotation.updated))
    ).one()
    digest = hashlib.blake2b(digest_size=16)
    for seq, targets in db.session.execute(
        select(Document.seq, type_coerce(Document.targets, Text)).order_by(Document.seq)
    ):
        digest.update(f"{seq}:{targets}\n".encode())
    return (*annotations, digest.hexdigest())


class FiguresCache:
    """Agreement figures per grouping (None, "outlet", "annotator"), one app's worth."""

    def __init__(self):
        self.lock = threading.Lock()
        self.entries = {}
        self.running = set()

    def figures(self, by):
        """(entry or None, current): the newest figures for ``by`` and whether they match
        the annotations as they are now. Starts a recomputation when they do not."""
        now = stamp()
        with self.lock:
            entry = self.entries.get(by)
            current = entry is not None and entry.stamp == now
            if not current and by not in self.running:
                self.running.add(by)
                app = current_app._get_current_object()
                threading.Thread(target=self.compute, args=(app, by, now), daemon=True).start()
        return entry, current

    def computing(self, by):
        """Whether new figures for ``by`` are being computed."""
        with self.lock:
            return by in self.running

    def compute(self, app, by, now):
        """Compute the figures for ``by`` (in a thread) and keep them."""
        started = time.perf_counter()
        figures = error = None
        try:
            with app.app_context():
                try:
                    figures = report(app.extensions["scheme"], by=by, options=Options())
                except ReportError as problem:
                    error = str(problem)
                finally:
                    db.session.remove()
        except Exception as problem:
            app.logger.exception("computing agreement figures failed")
            error = f"computing the figures failed: {problem}"
        entry = Entry(now, figures, error, utcnow(), time.perf_counter() - started)
        with self.lock:
            self.entries[by] = entry
            self.running.discard(by)


def figures_cache():
    """This app's cache of agreement figures."""
    return current_app.extensions.setdefault("agreement_figures", FiguresCache())
