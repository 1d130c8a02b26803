"""The annotations, read out of the database into one items-by-annotators matrix per field.

Labels are pulled out of the JSON in SQL (``JSON_EXTRACT`` on SQLite, ``#>>`` on
PostgreSQL), so no row's JSON is parsed in Python, and each batch of rows is turned into
integer codes at once, kept in the smallest integer type that holds them (a category
number in one byte): two million annotations take tens of megabytes, not hundreds.
Skipped sentences carry no labels and are left out. A stance target counts only on the
sentences of documents that have it, and only for the annotators who were asked it (an
annotation made before the target was added holds no value for it: unrated, not ``none``).
"""

import gc
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import repeat

import numpy as np
from sqlalchemy import Text, cast, func, select
from sqlalchemy.dialects.postgresql import JSONB

from .. import targets
from ..extensions import db
from ..models import Annotation, Document, Sentence, User

BATCH = 10_000
UNRATED = -1  # no annotation of this item by this annotator, or the field is unset
NEW = -2  # in Coder: a label not numbered yet
NO_SPAN = -1  # in span matrices: annotated, but no span marked (unrated is UNRATED - 1)
UNKNOWN_OUTLET = "(unknown outlet)"
SPLITS_A_PATH = frozenset('"\\,{}')  # escaped in SQLite's JSON text, or split PostgreSQL's path


def narrowest(low, high):
    """The smallest signed integer type holding every number from ``low`` to ``high``."""
    for dtype in (np.int8, np.int16, np.int32):
        if np.iinfo(dtype).min <= low and high <= np.iinfo(dtype).max:
            return np.dtype(dtype)
    return np.dtype(np.int64)


def narrow(values):
    """``values`` (integers) in the smallest signed integer type that holds them all."""
    values = np.asarray(values)
    if not len(values):
        return values.astype(np.int8)
    return values.astype(narrowest(values.min(), values.max()), copy=False)


def numbered(values):
    """The distinct ``values`` in order, and the position of each value among them
    (narrowed): ``np.unique``'s inverse without its three int64 arrays the length of
    ``values``."""
    distinct = np.unique(values)
    positions = np.searchsorted(distinct, values)
    return distinct, positions.astype(narrowest(0, len(distinct)))


@contextmanager
def collector_paused():
    """The cyclic garbage collector off while rows are read: the rows hold no cycles, yet
    the millions of them set off full collections that took a quarter of the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def span_names(scheme):
    """The span fields' names, in report order."""
    return [field.name for field in scheme.span_fields]


def plain_key(key):
    """Whether a JSON path written as SQLAlchemy writes it finds ``key`` on both databases:
    printable ASCII, none of SPLITS_A_PATH, no spaces around it, not PostgreSQL's NULL."""
    return (
        key.isascii()
        and key.isprintable()
        and key == key.strip()
        and key.upper() != "NULL"
        and not SPLITS_A_PATH.intersection(key)
    )


def extracted(column, path, dialect):
    """The text at ``path`` (keys) in a JSON column, NULL where there is none.

    A key such as a stance target is a name someone typed: SQLite 3.40 matches a path's
    labels against the stored text, in which ``Türkiye``, a quote or a backslash are
    escaped, and a PostgreSQL path is an array literal that a comma or a brace splits; such
    a key is looked up among the decoded keys (``json_each``) or passed as a value."""
    if all(map(plain_key, path)):
        return column[path].as_string()
    if dialect == "postgresql":
        return func.jsonb_extract_path_text(column, *path, type_=Text)
    parent = "$" + "".join(f'."{key}"' for key in path[:-1])
    members = func.json_each(column, parent).table_valued("key", "value")
    return select(members.c.value).where(members.c.key == path[-1]).scalar_subquery()


def statement(scheme, dialect):
    """SELECT of every non-skipped annotation, its document (``seq``) and outlet, and its
    fields pulled out of the JSON."""
    labels = Annotation.labels
    if dialect == "postgresql":
        labels = cast(labels, JSONB)  # parsed once per row, not once per field
    rows = (
        select(
            Annotation.sentence_id,
            Annotation.annotator_id,
            Document.seq,
            Document.outlet,
            labels.label("j"),
        )
        .join(Sentence, Sentence.id == Annotation.sentence_id)
        .join(Document, Document.id == Sentence.document_id)
        .where(Annotation.skipped.is_(False))
    )
    if dialect == "postgresql":
        rows = rows.offset(0)  # keeps PostgreSQL from inlining the subquery (and the cast)
    rows = rows.subquery()
    columns = [extracted(rows.c.j, field.path, dialect) for field in scheme.agreed_fields]
    for field in scheme.span_fields:
        path = field.path
        columns += [rows.c.j[(*path, "start")].as_integer(), rows.c.j[(*path, "end")].as_integer()]
    # no ORDER BY: sorting two million rows costs the database hundreds of megabytes, and
    # nothing depends on the order (items are sorted by id, categories by ``Coder.settle``)
    return select(rows.c.sentence_id, rows.c.annotator_id, rows.c.seq, rows.c.outlet, *columns)


class Coder:
    """Turns labels into category numbers: the known labels first, in their order, then
    any other label (in sorted order once ``settle`` has run); None becomes UNRATED."""

    def __init__(self, known=()):
        self.known = len(known)
        self.categories = list(known)
        self.number = {label: i for i, label in enumerate(self.categories)}
        self.number[None] = UNRATED

    def settle(self, codes):
        """Renumber ``codes`` so that labels beyond the known ones come in sorted order,
        whatever order the rows were read in."""
        extra = sorted(self.categories[self.known :], key=str)
        order = self.categories[: self.known] + extra
        position = {label: i for i, label in enumerate(order)}
        remap = [position[label] for label in self.categories] + [UNRATED]
        self.categories = order
        # UNRATED (-1) picks the last entry: UNRATED
        return np.array(remap, narrowest(UNRATED, len(order)))[codes]

    def __call__(self, column):
        """Numbers of a column of labels (one dict lookup per label, in C), narrowed; a
        label not seen before is numbered on a second pass."""
        codes = np.fromiter(map(self.number.get, column, repeat(NEW)), np.int32, len(column))
        if (codes == NEW).any():
            for label in sorted(set(column) - self.number.keys()):
                self.number[label] = len(self.categories)
                self.categories.append(label)
            codes = np.fromiter(map(self.number.__getitem__, column), np.int32, len(column))
        return codes.astype(narrowest(UNRATED, len(self.categories)))


def span_codes(starts, ends):
    """Start and end arrays of a column of spans; NO_SPAN where none was marked."""
    start = np.array([NO_SPAN if s is None else s for s in starts], dtype=np.int64)
    end = np.array([NO_SPAN if e is None else e for e in ends], dtype=np.int64)
    missing = (start == NO_SPAN) | (end == NO_SPAN)
    start[missing] = NO_SPAN
    end[missing] = NO_SPAN
    return narrow(start), narrow(end)


@dataclass
class Ratings:
    """One categorical field: items by annotators, category numbers (UNRATED: none)."""

    annotators: list  # names, one per column
    categories: list  # labels, one per category number
    matrix: np.ndarray

    def counts(self):
        """Items by categories: how many annotators chose each category, in the smallest
        integer type that holds the number of annotators (one byte up to 127 of them)."""
        dtype = narrowest(0, len(self.annotators))
        counts = np.zeros((len(self.matrix), len(self.categories)), dtype=dtype)
        for column in self.matrix.T:  # an annotator rates an item once: no index twice
            rated = np.flatnonzero(column != UNRATED)
            counts[rated, column[rated]] += 1
        return counts

    def select(self, keep):
        """The same ratings restricted to the items where ``keep`` is true."""
        return Ratings(self.annotators, self.categories, self.matrix[keep])

    def without(self, column):
        """The ratings with one annotator's column removed."""
        annotators = self.annotators[:column] + self.annotators[column + 1 :]
        return Ratings(annotators, self.categories, np.delete(self.matrix, column, axis=1))


@dataclass
class Spans:
    """One span field: items by annotators, start and end (NO_SPAN: none marked; UNRATED
    in ``rated``'s sense where the annotator did not annotate the item)."""

    annotators: list
    rated: np.ndarray  # bool, items by annotators
    start: np.ndarray
    end: np.ndarray

    def select(self, keep):
        """The same spans restricted to the items where ``keep`` is true."""
        return Spans(self.annotators, self.rated[keep], self.start[keep], self.end[keep])


@dataclass
class Annotations:
    """Every non-skipped annotation, as matrices per field."""

    items: np.ndarray  # sentence ids, one per row of every matrix
    annotators: list
    outlets: np.ndarray  # per item
    fields: dict  # name -> Ratings or Spans
    count: int  # annotations read
    documents: np.ndarray  # per item, its document's ``seq``
    targets: dict  # every document's seq -> its stance targets


def document_targets(default):
    """{seq: targets} of every document (``default`` for one with none recorded)."""
    rows = db.session.execute(select(Document.seq, Document.targets))
    return {row.seq: targets.of(row, default) for row in rows}


def having(documents, targets_of, target):
    """Per item (its document's seq in ``documents``): whether its document has ``target``."""
    seqs, document_of_item = numbered(documents)
    has = np.array([target in targets_of.get(int(seq), ()) for seq in seqs], dtype=bool)
    return has[document_of_item]


def load(scheme, default=None):
    """Read every non-skipped annotation into matrices of the scheme's fields; a stance
    target's ratings are kept only on the sentences of documents that have it (``default``:
    the scheme whose targets a document without any recorded has; ``scheme`` itself when
    None)."""
    names = [field.name for field in scheme.agreed_fields]
    span_fields = span_names(scheme)
    coders = {field.name: Coder(field.choices) for field in scheme.agreed_fields}
    outlets = Coder()
    # "#" keeps the loader's own columns apart from field names (no field name holds one)
    keys = ("#item", "#annotator", "#document", "#document outlet", *names)
    parts = {key: [] for key in keys}
    spans = {name: ([], []) for name in span_fields}
    connection = db.session.connection()
    query = statement(scheme, connection.dialect.name)
    result = connection.execution_options(yield_per=BATCH).execute(query)
    with collector_paused():
        for rows in result.partitions():
            columns = list(zip(*rows, strict=True))
            parts["#item"].append(narrow(columns[0]))
            parts["#annotator"].append(narrow(columns[1]))
            parts["#document"].append(narrow(columns[2]))
            parts["#document outlet"].append(outlets(columns[3]))
            for offset, name in enumerate(names, start=4):
                parts[name].append(coders[name](columns[offset]))
            base = 4 + len(names)
            for number, name in enumerate(span_fields):
                start, end = span_codes(columns[base + 2 * number], columns[base + 2 * number + 1])
                spans[name][0].append(start)
                spans[name][1].append(end)
            del rows, columns  # freed before the next batch is fetched
    joined = {key: join(parts.pop(key)) for key in list(parts)}
    for name in names:
        joined[name] = coders[name].settle(joined[name])
    joined["#document outlet"] = outlets.settle(joined["#document outlet"])
    items, item_of_row = numbered(joined.pop("#item"))
    user_ids, column_of_row = numbered(joined.pop("#annotator"))
    names_of = dict(db.session.execute(select(User.id, User.name)).all())
    annotators = [names_of[int(i)] for i in user_ids]

    def matrix(values, fill=UNRATED):
        shaped = np.full((len(items), len(annotators)), fill, dtype=values.dtype)
        shaped[item_of_row, column_of_row] = values
        return shaped

    outlet_codes = np.full(len(items), UNRATED, dtype=joined["#document outlet"].dtype)
    outlet_codes[item_of_row] = joined.pop("#document outlet")
    outlet_names = np.array([*outlets.categories, UNKNOWN_OUTLET], dtype=object)
    fields = {
        name: Ratings(annotators, coders[name].categories, matrix(joined.pop(name)))
        for name in names
    }
    documents = np.zeros(len(items), dtype=joined["#document"].dtype)
    documents[item_of_row] = joined.pop("#document")
    targets_of = document_targets(default or scheme)
    for field in scheme.agreed_fields:
        if field.target is not None:  # a target the document lacks was asked of nobody
            fields[field.name].matrix[~having(documents, targets_of, field.target)] = UNRATED
    rated = matrix(np.ones(len(item_of_row), dtype=bool), fill=False)
    for name in span_fields:
        start, end = join(spans[name][0]), join(spans[name][1])
        del spans[name]
        fields[name] = Spans(annotators, rated, matrix(start), matrix(end))
    # a document without an outlet has the code UNRATED (-1): the last name, UNKNOWN_OUTLET
    return Annotations(
        items,
        annotators,
        outlet_names[outlet_codes],
        fields,
        len(item_of_row),
        documents,
        targets_of,
    )


def join(arrays):
    """One array of batches, in the widest of their types (an empty int array when there
    were none)."""
    return np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int8)
