"""Read article files (.txt, .html, .jsonl, .json) into raw records, or say exactly what is
wrong."""

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .. import targets
from ..text import plain
from .cleaning import find_date, line_key

SUFFIXES = (".txt", ".html", ".htm", ".jsonl", ".json")
PAGES = (".html", ".htm")
METADATA = ("id", "title", "outlet", "publisher", "url", "published", "author")
FIELDS = ("text", "html", *METADATA, "keep_lines", "targets")
PAGE = "page metadata"  # where a field found by trafilatura came from


class ImportProblem(Exception):
    """Bad input, reported as ``where: what (how to fix)``; the import stops and stores nothing."""

    def __init__(self, where, message):
        super().__init__(f"{where}: {message}")


@dataclass
class RawArticle:
    """An article as read from a file, before cleaning."""

    text: str
    where: str
    id: str | None = None
    title: str | None = None
    outlet: str | None = None
    publisher: str | None = None
    url: str | None = None
    published: date | None = None
    author: str | None = None
    size: int = 0
    from_page: bool = False  # the text came out of a web page, whose title is known
    html_digest: str | None = None  # SHA-256 of the page it came from
    keep_lines: tuple[str, ...] = ()  # lines the cleaning must not remove
    targets: tuple[str, ...] | None = None  # its stance targets, when the record gives them
    sources: dict[str, str] = field(default_factory=dict)  # field name -> where it was found


# where an article of a JSON Lines or JSON file was read: `batch.jsonl:17`, `list.json item 2`
RECORD_IN_FILE = re.compile(r"(?is)(.+\.jsonl):\d+|(.+\.json) item \d+")


def file_of(where):
    """The file an article was read from, given where it was read (``RawArticle.where``)."""
    found = RECORD_IN_FILE.fullmatch(where)
    return (found[1] or found[2]) if found else where


def article_files(paths):
    """Expand files and folders (recursively, sorted) into the article files they hold."""
    files = []
    for path in map(Path, paths):
        if not path.exists():
            raise ImportProblem(path, "no such file or folder")
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(".")
            )
            if not found:
                raise ImportProblem(path, f"folder holds no article files ({', '.join(SUFFIXES)})")
            files.extend(found)
        elif path.suffix.lower() in SUFFIXES:
            files.append(path)
        else:
            raise ImportProblem(path, f"unknown file type; use one of {', '.join(SUFFIXES)}")
    return files


def decode(where, data):
    """The text of ``data``, refusing binary and non-UTF-8 content."""
    if b"\x00" in data:
        raise ImportProblem(where, "binary content (NUL bytes); import text files only")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportProblem(
            where,
            f"not UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}); "
            "convert it, e.g. iconv -f latin1 -t utf-8",
        ) from None


def read_articles(path):
    """Yield the raw articles of one file; ``.jsonl`` is streamed line by line."""
    if path.stat().st_size == 0:
        raise ImportProblem(path, "file is empty")
    if path.suffix.lower() == ".jsonl":
        yield from read_jsonl(path)
        return
    data = path.read_bytes()
    if path.suffix.lower() in PAGES:
        article = from_page(data, str(path), path.stem, size=len(data))
        article.sources["id"] = "file name"
        yield article
        return
    text = decode(path, data)
    if not text.strip():
        raise ImportProblem(path, "file is empty (only whitespace)")
    if path.suffix.lower() == ".txt":
        yield RawArticle(
            text=text, where=str(path), id=path.stem, size=len(data), sources={"id": "file name"}
        )
        return
    records = parse_json(text, str(path))
    if isinstance(records, dict):
        records = [records]
    if not isinstance(records, list) or not records:
        raise ImportProblem(path, "expected a non-empty JSON list of article objects")
    for number, record in enumerate(records, start=1):
        yield from_record(record, f"{path} item {number}", len(data) // len(records))


def read_jsonl(path):
    """Yield one article per non-blank line of a JSON Lines file."""
    found = False
    with path.open("rb") as handle:
        for number, data in enumerate(handle, start=1):
            where = f"{path}:{number}"
            line = decode(where, data)
            if line.strip():
                found = True
                yield from_record(parse_json(line, where), where, len(data))
    if not found:
        raise ImportProblem(path, "file is empty (only whitespace)")


def parse_json(text, where):
    """Parse JSON, reporting the line and column of a syntax error."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportProblem(
            where, f"malformed JSON ({error.msg} at column {error.colno})"
        ) from None


def from_page(html, where, id_=None, url=None, size=0):
    """The raw article of a saved web page (HTML as text or bytes)."""
    if isinstance(html, bytes) and b"\x00" in html:
        raise ImportProblem(where, "binary content (NUL bytes); import saved web pages only")
    # as given: a JSON string may hold a lone surrogate, which UTF-8 cannot encode
    data = html if isinstance(html, bytes) else html.encode("utf-8", "surrogatepass")
    from .webpages import read_page  # trafilatura takes ~0.5 s to load: only for pages

    page = read_page(html, url)
    if page is None:
        raise ImportProblem(
            where,
            "no article text found in the page; save the article's own page, or give its "
            "text in a .txt file",
        )
    found = {
        "title": page.title,
        "outlet": page.outlet,
        "url": page.url,
        "published": page.published,
        "author": page.author,
    }
    return RawArticle(
        text=page.text,
        where=where,
        id=id_,
        **found,
        size=size,
        from_page=True,
        html_digest=hashlib.sha256(data).hexdigest(),
        sources={name: PAGE for name, value in found.items() if value is not None},
    )


def from_record(record, where, size):
    """Validate one JSON article object: ``text``, or ``html`` (a saved page, with ``url``
    if known); given fields win over what the page says."""
    if not isinstance(record, dict):
        raise ImportProblem(where, "expected a JSON object with a 'text' field")
    unknown = sorted(set(record) - set(FIELDS))
    if unknown:
        raise ImportProblem(where, f"unknown field(s) {', '.join(unknown)}; allowed: {FIELDS}")
    text, html = record.get("text"), record.get("html")
    if text is not None and html is not None:
        raise ImportProblem(where, "give either 'text' or 'html', not both")
    if html is not None and (not isinstance(html, str) or not html.strip()):
        raise ImportProblem(where, "'html' must be the page's HTML, a non-empty string")
    if html is None and (not isinstance(text, str) or not text.strip()):
        raise ImportProblem(
            where, "missing 'text' (the article body, a non-empty string) or 'html' (the page)"
        )
    values = {}
    for name in METADATA:
        value = record.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and name == "id":
            value = str(value)
        if value is not None and not isinstance(value, str):
            raise ImportProblem(where, f"'{name}' must be a string, not {type(value).__name__}")
        values[name] = value.strip() or None if value is not None else None
    if values["published"] is not None:
        values["published"] = parse_published(values["published"], where)
    given = {name: value for name, value in values.items() if value is not None}
    if html is None:
        article = RawArticle(text=text, where=where, size=size)
    else:
        article = from_page(html, where, values["id"], values["url"], size)
    for name, value in given.items():
        setattr(article, name, value)
        article.sources[name] = f"field '{name}'"
    article.keep_lines = keep_lines(record.get("keep_lines", []), where)
    if "targets" in record:
        article.targets = record_targets(record["targets"], where)
    return article


def record_targets(value, where):
    """The ``targets`` of a record: a list of short names (an empty list: no stance rows)."""
    if not isinstance(value, list):
        raise ImportProblem(
            where,
            "'targets' must be a list of strings (the stance targets, e.g. "
            f'["Azerbaijan", "Armenia"]), not {type(value).__name__}',
        )
    try:
        return targets.checked(value, "'targets'")
    except targets.TargetProblem as problem:
        raise ImportProblem(where, str(problem)) from None


def keep_lines(value, where):
    """The ``keep_lines`` of a record: a list of non-empty strings, the lines the cleaning
    must leave in the text."""
    if not isinstance(value, list):
        raise ImportProblem(
            where,
            f"'keep_lines' must be a list of strings (lines to keep), not {type(value).__name__}",
        )
    lines = []
    for number, line in enumerate(value, start=1):
        if not isinstance(line, str):
            raise ImportProblem(
                where, f"'keep_lines' item {number} must be a string, not {type(line).__name__}"
            )
        line = line_key(plain(line))
        if not line:
            raise ImportProblem(where, f"'keep_lines' item {number} is empty")
        lines.append(line)
    return tuple(lines)


def parse_published(value, where):
    """An ISO date (``2023-09-19``, optionally with a time) or a written one (``19 Sept 2023``)."""
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        found, _ = find_date(value)
        if found is None:
            raise ImportProblem(
                where, f"'published' {value!r} is not a date; write it as YYYY-MM-DD"
            ) from None
        return found
