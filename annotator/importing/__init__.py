"""Importing articles: reading files, cleaning text, splitting sentences, storing them."""

from .readers import ImportProblem, article_files, read_articles
from .store import Summary, import_articles

__all__ = ["ImportProblem", "Summary", "article_files", "import_files"]


def import_files(paths, outlet=None, publisher=None, replace=False, progress=None, **options):
    """Import every article in ``paths`` (files or folders) in one transaction; ``options``
    are those of ``import_articles`` (``keep``, ``dry_run``, ``each``)."""
    files = article_files(paths)

    def articles():
        for path in files:
            for raw in read_articles(path):
                yield raw
                if progress:
                    progress(raw.size)

    return import_articles(articles(), outlet, publisher, replace, **options)
