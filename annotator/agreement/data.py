"""The annotations, read out of the database as one column per field.

Labels are pulled out of the JSON in SQL (``JSON_EXTRACT`` on SQLite, ``#>>`` on
PostgreSQL), so no row's JSON is parsed in Python. Skipped sentences carry no labels and
are left out.
"""

from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select

from ..extensions import db
from ..models import Annotation, Document, Sentence, User

BATCH = 50_000


@dataclass
class Table:
    """One row per annotation: the item, the annotator, the outlet, and each field's value."""

    sentence: list = field(default_factory=list)
    annotator: list = field(default_factory=list)
    outlet: list = field(default_factory=list)
    values: dict = field(default_factory=dict)  # field name -> list of labels (None = unset)
    spans: dict = field(default_factory=dict)  # span name -> list of (start, end) or None


def categorical_fields(scheme):
    """The label fields as (name, JSON path) in report order."""
    fields = [("claim", ("claim",)), ("attribution.source_type", ("attribution", "source_type"))]
    fields += [(f"stance.{target}", ("stance", target)) for target in scheme.stance_targets]
    fields.append(("outlet", ("outlet",)))
    return fields


SPAN_FIELDS = ("attribution.source", "attribution.cue")


def statement(scheme):
    """SELECT of every non-skipped annotation with its fields pulled out of the JSON."""
    labels = Annotation.labels
    columns = [labels[path].as_string() for _, path in categorical_fields(scheme)]
    for name in SPAN_FIELDS:
        path = tuple(name.split("."))
        columns += [labels[(*path, "start")].as_integer(), labels[(*path, "end")].as_integer()]
    return (
        select(Annotation.sentence_id, User.name, Document.outlet, *columns)
        .join(User, User.id == Annotation.annotator_id)
        .join(Sentence, Sentence.id == Annotation.sentence_id)
        .join(Document, Document.id == Sentence.document_id)
        .where(Annotation.skipped.is_(False))
        .order_by(Annotation.sentence_id, User.name)
    )


def load(scheme):
    """Every non-skipped annotation as a Table, read in batches."""
    names = [name for name, _ in categorical_fields(scheme)]
    table = Table(values={name: [] for name in names}, spans={name: [] for name in SPAN_FIELDS})
    result = db.session.execute(statement(scheme).execution_options(yield_per=BATCH))
    for rows in result.partitions():
        for row in rows:
            table.sentence.append(row[0])
            table.annotator.append(row[1])
            table.outlet.append(row[2])
            for offset, name in enumerate(names, start=3):
                table.values[name].append(row[offset])
            base = 3 + len(names)
            for number, name in enumerate(SPAN_FIELDS):
                start, end = row[base + 2 * number], row[base + 2 * number + 1]
                table.spans[name].append(None if start is None or end is None else (start, end))
    return table


@dataclass
class Ratings:
    """One field as a dense items by annotators matrix of category numbers (-1: unrated)."""

    items: np.ndarray  # sentence id per row
    annotators: list  # names, one per column
    categories: list  # labels, one per category number
    matrix: np.ndarray

    def counts(self):
        """Items by categories: how many annotators chose each category."""
        size = len(self.categories)
        if not size:
            return np.zeros((len(self.items), 0), dtype=np.int64)
        rows, columns = np.nonzero(self.matrix >= 0)
        flat = rows * size + self.matrix[rows, columns]
        return np.bincount(flat, minlength=len(self.items) * size).reshape(-1, size)

    def select(self, keep):
        """The same ratings restricted to the items where ``keep`` is true."""
        return Ratings(self.items[keep], self.annotators, self.categories, self.matrix[keep])

    def without(self, column):
        """The ratings with one annotator's column removed."""
        keep = [i for i in range(len(self.annotators)) if i != column]
        annotators = [self.annotators[i] for i in keep]
        return Ratings(self.items, annotators, self.categories, self.matrix[:, keep])


def ratings(table, values, known=()):
    """A Ratings of ``values`` (one per table row); categories are ``known`` in their order,
    then any other label found, in order of first use."""
    categories = list(known)
    number = {label: i for i, label in enumerate(categories)}
    codes = np.empty(len(values), dtype=np.int32)
    for i, label in enumerate(values):
        if label is None:
            codes[i] = -1
            continue
        if label not in number:
            number[label] = len(categories)
            categories.append(label)
        codes[i] = number[label]
    items, item_rows = np.unique(np.asarray(table.sentence, dtype=np.int64), return_inverse=True)
    annotators = sorted(set(table.annotator))
    column = {name: i for i, name in enumerate(annotators)}
    columns = np.fromiter((column[name] for name in table.annotator), dtype=np.int64)
    matrix = np.full((len(items), len(annotators)), -1, dtype=np.int32)
    matrix[item_rows, columns] = codes
    return Ratings(items, annotators, categories, matrix)
