"""The dataset card's agreement figures, computed beside the export.

Reading every annotation again and computing the figures takes about as long as writing
the export, so on a large project they are computed in a second process while the first
writes the records: on two cores the card costs little extra time.
"""

import multiprocessing

from flask import current_app
from sqlalchemy import func, select

from ..agreement.report import ReportError, report
from ..extensions import db
from ..models import Annotation

IN_PARALLEL_ABOVE = 100_000  # annotations; below this, computing in place is quicker


def agreement_figures(scheme):
    """The agreement report for the card, or one saying why there is none."""
    try:
        return report(scheme)
    except ReportError as error:
        return {"fields": {}, "error": str(error)}


def compute_elsewhere(settings, scheme, pipe):
    """In the second process: compute the figures and send them back."""
    from .. import create_app

    try:
        app = create_app(settings)
        with app.app_context():
            pipe.send(agreement_figures(scheme))
    except Exception as error:
        pipe.send({"fields": {}, "error": f"computing them failed: {error}"})
    finally:
        pipe.close()


class Figures:
    """Agreement figures that are ready when ``result()`` is called."""

    def __init__(self, scheme, wanted=True):
        self.scheme, self.wanted = scheme, wanted
        self.process = self.pipe = None
        if not wanted:
            return
        annotations = db.session.scalar(select(func.count()).select_from(Annotation))
        threshold = current_app.config.get("EXPORT_AGREEMENT_IN_PARALLEL_ABOVE", IN_PARALLEL_ABOVE)
        if annotations > threshold:
            settings = {
                key: current_app.config[key]
                for key in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "TESTING")
            }
            context = multiprocessing.get_context("spawn")  # a clean process, no shared handles
            self.pipe, child = context.Pipe(duplex=False)
            self.process = context.Process(
                target=compute_elsewhere, args=(settings, scheme, child), daemon=True
            )
            self.process.start()
            child.close()

    def result(self):
        """The figures (waiting for the second process if there is one)."""
        if not self.wanted:
            return {"fields": {}, "error": "left out (--no-agreement); run flask agreement"}
        if self.process is None:
            return agreement_figures(self.scheme)
        try:
            return self.pipe.recv()
        except EOFError:
            return {"fields": {}, "error": "the process computing them ended unexpectedly"}
        finally:
            self.process.join()

    def cancel(self):
        """Stop the second process (the export failed)."""
        if self.process is not None and self.process.is_alive():
            self.process.terminate()
            self.process.join()
