"""Writing an export: JSON Lines per split through temporary files renamed at the end, so a
crash never leaves half a file behind, and the dataset card beside them."""

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import orjson
from flask import current_app
from sqlalchemy import select

from .. import targets
from ..extensions import db
from ..models import Document
from .card import Tally, card
from .figures import Figures
from .records import records
from .splits import assign

# one line per record, timestamps as 2026-11-22T10:00:00Z
JSON_OPTIONS = orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z


def default_path(final_only, moment):
    """``exports/annotations-20261122-1900.jsonl`` (``final-…`` with ``--final-only``)."""
    kind = "final" if final_only else "annotations"
    return Path("exports") / f"{kind}-{moment:%Y%m%d-%H%M%S}.jsonl"


def split_paths(out, shares):
    """{split: path}: ``out`` itself, or ``NAME.train.jsonl`` … beside it."""
    if not shares:
        return {"all": out}
    stem = out.name.removesuffix(".jsonl")
    return {name: out.with_name(f"{stem}.{name}.jsonl") for name, _ in shares}


class CannotWrite(Exception):
    """The export's folder cannot be written to."""


def open_temporary(path):
    """A temporary file in ``path``'s directory (so renaming it is atomic)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed by export()
            "wb", dir=path.parent, prefix=f".{path.name}.", delete=False
        )
        os.chmod(handle.name, 0o666 & ~current_umask())  # as an ordinary new file would be
    except OSError as error:
        raise CannotWrite(
            f"cannot write to {path.parent}: {error.strerror or error}; choose another --out"
        ) from None
    return handle


def current_umask():
    """The process's file creation mask."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def split_of_documents(shares, seed, strata, scheme):
    """{document id: split}: every document dealt out by ``shares`` within its stratum."""
    rows = db.session.execute(
        select(Document.id, Document.outlet, Document.targets).order_by(Document.seq)
    )
    documents = [(row.id, row.outlet, targets.of(row, scheme)) for row in rows]
    return assign(documents, shares, seed, strata)


def export(
    out,
    final_only,
    anonymize,
    shares,
    seed,
    command,
    agreement=True,
    comments=True,
    strata=("outlet",),
):
    """Write the export (one file per split, stratified by ``strata``) and its card;
    returns (files, tally, card path). Without ``comments``, every comment and gold note
    is null."""
    moment = datetime.now(UTC)
    out = out or default_path(final_only, moment)
    paths = split_paths(out, shares)
    card_path = out.with_name(out.name.removesuffix(".jsonl") + ".md")
    handles = {}
    figures = Figures(current_app.extensions["scheme"], wanted=agreement)
    try:
        for split, path in paths.items():
            handles[split] = open_temporary(path)
        card_handle = open_temporary(card_path)
        handles["card"] = card_handle
        scheme = current_app.extensions["scheme"]
        split_of = split_of_documents(shares, seed, strata, scheme) if shares else None
        secret = current_app.config["SECRET_KEY"] if anonymize else None
        every = targets.every(scheme)  # the card describes every document's targets
        tally = Tally(every)
        # with --final-only the records leave unsettled sentences out: records() tells why
        unsettled = tally.count_unsettled if final_only else None
        for record in records(scheme, final_only, secret, unsettled=unsettled, comments=comments):
            split = split_of[record["document"]["id"]] if split_of else "all"
            handles[split].write(orjson.dumps(record, option=JSON_OPTIONS) + b"\n")
            tally.add(split, record)
        stamp = moment.strftime("%Y-%m-%d %H:%M UTC")
        blind = current_app.config["BLIND_OUTLET"]
        result = figures.result()
        text = card(out.name, command, stamp, paths, tally, every, result, comments, blind)
        card_handle.write(text.encode())
        for handle in handles.values():
            handle.close()
        for split, path in paths.items():
            os.replace(handles[split].name, path)
        os.replace(card_handle.name, card_path)
    except BaseException:
        figures.cancel()
        for handle in handles.values():
            handle.close()
            Path(handle.name).unlink(missing_ok=True)
        raise
    return paths, tally, card_path
