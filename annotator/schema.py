"""The label scheme: what an annotation holds, described once.

``Scheme.fields`` lists every field of an annotation's labels — where it sits in the labels
object, whether it is chosen (``choice``), marked in the sentence (``span``) or typed
(``text``), its choices and measurement level. The label form, the checks of a form and of a
re-import, agreement, adjudication, the workspace's keys, the review table, the export record
and the dataset card are all read from it. The default scheme can be replaced by a TOML file,
which may also add choice fields (``[fields.certainty]``).
"""

import re
import tomllib
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path

import click

LEVELS = ("nominal", "ordinal", "interval", "ratio")
KINDS = ("choice", "span", "text")
ALLOWED = {
    "claim": {"labels", "level"},
    "attribution": {"source_types", "level"},
    "stance": {"labels", "targets", "level"},
    "fields": set(),
}
EXTRA_KEYS = {"labels", "level", "title", "default"}
# names an extra field may not take: the label groups, the form's inputs and the keys an
# exported record or annotation already has (an extra field is a top-level key of both)
RESERVED = {
    "claim", "attribution", "stance", "outlet", "flagged", "comment", "seconds", "revision",
    "handed", "csrf_token", "note", "reason", "source_type", "entity", "source_start",
    "source_end", "cue_start", "cue_end", "annotator", "skipped", "created", "updated", "id",
    "text", "document", "position", "annotations", "final", "final_source", "final_note",
}  # fmt: skip
TEXT_LENGTH = 200


class SchemeError(click.ClickException, ValueError):
    """An invalid scheme file: names the file, the line and the problem.

    A ClickException so that ``flask`` prints it as one line instead of a traceback.
    """


@dataclass(frozen=True)
class Field:
    """One field of an annotation's labels."""

    path: tuple[str, ...]  # where it sits in the labels object: ("attribution", "cue")
    kind: str  # "choice", "span" or "text"
    title: str  # as people read it: "Stance: Armenia"
    input: str  # the form's input (a span has two: ``<input>_start`` and ``<input>_end``)
    choices: tuple[str, ...] = ()
    level: str | None = None  # measurement level for agreement; None: no agreement figure
    default: str | None = None  # what an untouched form holds; None: the annotator must choose
    target: str | None = None  # the stance target a per-target field is about
    claims_only: bool = False  # agreement is also reported over the sentences all call a claim
    about: str = ""  # what a text field holds, for the dataset card
    key: str | None = None  # the workspace key that marks a span or opens a text field

    @property
    def name(self):
        """The dotted path: ``attribution.source_type``; agreement and review use it."""
        return ".".join(self.path)

    def value(self, labels):
        """This field's value in a labels object, or None where it is unset."""
        value = labels
        for key in self.path:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        return value

    def problem(self, value, sentence_length):
        """What is wrong with a set ``value`` of this field, or None."""
        if self.kind == "choice":
            if value not in self.choices:
                return f"choose one of {', '.join(self.choices)}"
        elif self.kind == "span":
            span = value if isinstance(value, dict) else {}
            start, end = span.get("start"), span.get("end")
            if not (type(start) is int and type(end) is int):
                return "a span needs a whole-number start and end"
            if not 0 <= start < end <= sentence_length:
                return (
                    f"span {start}–{end} is not inside the sentence (0–{sentence_length}) "
                    "or is empty; mark it again (s / c, or select the words)"
                )
        elif not isinstance(value, str) or len(value) > TEXT_LENGTH:
            return f"the {self.title.lower()} is a name of at most {TEXT_LENGTH} characters"
        return None


@dataclass(frozen=True)
class Scheme:
    """What annotators choose from; the order of labels is the order of their keys."""

    claim_labels: tuple[str, ...] = ("not_claim", "claim", "checkworthy_claim")
    claim_level: str = "nominal"
    source_types: tuple[str, ...] = ("author", "person", "organisation", "anonymous", "media")
    source_type_level: str = "nominal"
    stance_labels: tuple[str, ...] = ("favor", "against", "neutral", "none")
    stance_targets: tuple[str, ...] = ("Azerbaijan", "Armenia")
    stance_level: str = "nominal"
    extra_fields: tuple[Field, ...] = ()  # choice fields a scheme file adds, at the top level
    path: str | None = field(default=None, compare=False)

    def for_targets(self, targets):
        """The same scheme with ``targets`` as its stance targets: a document's (its
        stance rows, its form, its check), or every document's together (agreement and
        export, where a target a document lacks is unset, not ``none``)."""
        targets = tuple(targets)
        return self if targets == self.stance_targets else with_targets(self, targets)

    @cached_property
    def fields(self):
        """Every field, in the order of the form, the review table and the export record."""
        return (
            Field(("claim",), "choice", "Claim", "claim", self.claim_labels, self.claim_level),
            Field(
                ("attribution", "source_type"),
                "choice",
                "Source type",
                "source_type",
                self.source_types,
                self.source_type_level,
                default=self.source_types[0],
                claims_only=True,
            ),
            Field(
                ("attribution", "entity"),
                "text",
                "Entity",
                "entity",
                about="who the source is, as typed",
                key="e",
            ),
            Field(("attribution", "source"), "span", "Source", "source", claims_only=True, key="s"),
            Field(("attribution", "cue"), "span", "Cue", "cue", claims_only=True, key="c"),
            *(
                Field(
                    ("stance", target),
                    "choice",
                    f"Stance: {target}",
                    f"stance_{number}",
                    self.stance_labels,
                    self.stance_level,
                    default="none",
                    target=target,
                    claims_only=True,
                )
                for number, target in enumerate(self.stance_targets)
            ),
            Field(
                ("outlet",),
                "text",
                "Outlet",
                "outlet",
                level="nominal",
                about="the outlet the annotator confirmed",
                key="o",
            ),
            *self.extra_fields,
        )

    @cached_property
    def choice_fields(self):
        """The fields chosen from a list: the workspace's key groups, in keyboard order."""
        return tuple(f for f in self.fields if f.kind == "choice")

    @cached_property
    def span_fields(self):
        """The fields marked in the sentence."""
        return tuple(f for f in self.fields if f.kind == "span")

    @cached_property
    def agreed_fields(self):
        """The fields with a categorical agreement figure (spans have their own)."""
        return tuple(f for f in self.fields if f.kind != "span" and f.level)

    @cached_property
    def groups(self):
        """{group: its fields} for the labels object's nested groups (attribution, stance)."""
        found = {}
        for each in self.fields:
            if len(each.path) > 1:
                found.setdefault(each.path[0], []).append(each)
        return {group: tuple(fields) for group, fields in found.items()}

    @cached_property
    def top_level(self):
        """The labels object's keys, in order: single fields and groups."""
        return tuple(dict.fromkeys(f.path[0] for f in self.fields))

    @cached_property
    def targets(self):
        """{group: its targets} of the per-target groups (stance)."""
        return {
            group: frozenset(f.target for f in fields)
            for group, fields in self.groups.items()
            if fields[0].target is not None
        }

    @cached_property
    def top_level_keys(self):
        """``top_level`` as a set."""
        return frozenset(self.top_level)

    @cached_property
    def names(self):
        """Every field's dotted name, in ``fields`` order."""
        return tuple(f.name for f in self.fields)

    @cached_property
    def named(self):
        """{dotted name: field}."""
        return {f.name: f for f in self.fields}

    @cached_property
    def value_plan(self):
        """``fields`` as runs of one top-level key: (key, None) for a value, (key, inner
        keys) for a group, in order (a group's fields are listed together)."""
        plan = []
        for each in self.fields:
            if len(each.path) == 1:
                plan.append((each.path[0], None))
            elif plan and plan[-1][0] == each.path[0] and plan[-1][1] is not None:
                plan[-1] = (each.path[0], (*plan[-1][1], each.path[1]))
            else:
                plan.append((each.path[0], (each.path[1],)))
        return tuple(plan)

    def values(self, labels):
        """Every field's value in ``fields`` order: the cheap shape to compare labels by
        (it runs for every annotation of the disagreement list and of an export)."""
        found = []
        for key, inner in self.value_plan:
            value = labels.get(key)
            if inner is None:
                found.append(value)
            elif isinstance(value, dict):
                found.extend(map(value.get, inner))
            else:
                found.extend([None] * len(inner))
        return tuple(found)

    def labels(self, values):
        """A complete labels object from {field name: value} (missing names are unset); a
        per-target group holds only the targets given a value: a target nobody was asked
        is absent, never null (``none`` is an answer), and so is a group with none."""
        labels = {}
        for each in self.fields:
            if each.target is not None and values.get(each.name) is None:
                continue
            holder = labels
            for key in each.path[:-1]:
                holder = holder.setdefault(key, {})
            holder[each.path[-1]] = values.get(each.name)
        return labels

    def stored(self, labels):
        """A checked labels object as stored: the scheme's top-level keys as given (a group
        keeps keys the scheme does not describe, such as a target no longer listed), spans
        reduced to their offsets (an export adds the text they cover)."""
        stored = {}
        for key in self.top_level:
            value = labels.get(key)
            if value is None:
                continue
            if key in self.groups:
                value = dict(value)
                for field in self.groups[key]:
                    span = value.get(field.path[-1])
                    if field.kind == "span" and span is not None:
                        value[field.path[-1]] = {"start": span["start"], "end": span["end"]}
            stored[key] = value
        return stored

    def check(self, labels, sentence_length, complete=True):
        """Errors in ``labels`` as {field name: message}; empty when they fit this scheme.

        ``complete`` (a form): every choice must be made, except that a per-target field
        left unset is its default (stance ``none``), and a per-target group holds only the
        scheme's targets. Otherwise (a re-imported record) unset fields pass, and so do
        targets the scheme no longer lists: labels stored before a scheme change."""
        errors = {}
        for group, fields in self.groups.items():
            given = labels.get(group)
            if given is not None and not isinstance(given, dict):
                errors[group] = "must be an object"
            elif given and group in self.targets:
                unknown = sorted(given.keys() - self.targets[group], key=str)
                if unknown and complete:
                    errors[group] = f"unknown {group} target(s): {', '.join(map(str, unknown))}"
                for target in unknown:
                    if given[target] is not None and given[target] not in fields[0].choices:
                        errors[f"{group}.{target}"] = (
                            f"choose one of {', '.join(fields[0].choices)}"
                        )
        for each, value in zip(self.fields, self.values(labels), strict=True):
            if value is None:
                if complete and each.kind == "choice" and each.target is None:
                    errors[each.name] = f"choose one of {', '.join(each.choices)}"
            elif problem := each.problem(value, sentence_length):
                errors[each.name] = problem
        return errors


def line_of(text, section, key=None):
    """The 1-based line of ``[section]`` (or of ``key`` inside it) in TOML ``text``."""
    lines = text.splitlines()
    start = next(
        (i for i, line in enumerate(lines) if re.match(rf"\s*\[{re.escape(section)}\]", line)), 0
    )
    if key is None:
        return start + 1
    for number in range(start + 1, len(lines)):
        if re.match(r"\s*\[", lines[number]):
            break
        if re.match(rf"\s*{re.escape(key)}\s*=", lines[number]):
            return number + 1
    return start + 1


def labels_of(table, section, key, where, text):
    """A non-empty list of distinct, non-empty strings from ``table[key]``, or None."""
    values = table.get(key)
    line = line_of(text, section, key)
    if values is None:
        return None
    if not isinstance(values, list) or not values:
        raise SchemeError(f"{where}:{line}: [{section}] {key} must be a non-empty list of strings")
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise SchemeError(f"{where}:{line}: [{section}] {key} holds {value!r}, not a name")
    duplicates = sorted({v for v in values if values.count(v) > 1})
    if duplicates:
        raise SchemeError(
            f"{where}:{line}: [{section}] {key} lists {', '.join(duplicates)} more than once"
        )
    return tuple(values)


def level_of(table, section, where, text):
    """The measurement level in ``table``, or None."""
    level = table.get("level")
    if level is not None and level not in LEVELS:
        raise SchemeError(
            f"{where}:{line_of(text, section, 'level')}: [{section}] level {level!r} "
            f"is not one of {', '.join(LEVELS)}"
        )
    return level


def unknown_keys(table, allowed, section, where, text):
    """Raise a SchemeError naming the first key of ``table`` not in ``allowed``."""
    for key in table:
        if key not in allowed:
            raise SchemeError(
                f"{where}:{line_of(text, section, key)}: unknown key '{key}' in [{section}]; "
                f"allowed: {', '.join(sorted(allowed))}"
            )


def extra_fields(tables, where, text):
    """The choice fields of a scheme file's ``[fields.<name>]`` tables."""
    found = []
    for name, table in tables.items():
        section = f"fields.{name}"
        line = line_of(text, section)
        if not isinstance(table, dict):
            raise SchemeError(
                f"{where}:{line}: [fields] {name} must be a table: [fields.{name}] with "
                "labels = [...]"
            )
        if (
            not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", name)
            or name in RESERVED
            or name.startswith("stance_")
        ):
            raise SchemeError(
                f"{where}:{line}: [{section}]: {name!r} cannot name a field; use lower-case "
                "letters, digits and _ (at most 40), and not a name the labels or the form "
                f"already use ({', '.join(sorted(RESERVED))}, stance_<n>)"
            )
        unknown_keys(table, EXTRA_KEYS, section, where, text)
        labels = labels_of(table, section, "labels", where, text)
        if labels is None:
            raise SchemeError(f"{where}:{line}: [{section}] needs labels = [...]")
        title = table.get("title", name.replace("_", " ").capitalize())
        if not isinstance(title, str) or not title.strip():
            raise SchemeError(
                f"{where}:{line_of(text, section, 'title')}: [{section}] title must be text"
            )
        default = table.get("default")
        if default is not None and default not in labels:
            raise SchemeError(
                f"{where}:{line_of(text, section, 'default')}: [{section}] default "
                f"{default!r} is not one of its labels"
            )
        level = level_of(table, section, where, text) or "nominal"
        # the input's name cannot be one of the form class's own attributes (validate, data)
        found.append(
            Field((name,), "choice", title.strip(), f"field_{name}", labels, level, default)
        )
    return tuple(found)


@lru_cache(maxsize=512)
def with_targets(scheme, targets):
    """``scheme`` with other stance targets, made once per list (its fields, form class and
    key legend are worked out once, as for the scheme itself)."""
    return replace(scheme, stance_targets=targets)


def load_scheme(path=None):
    """The default scheme, or the one in the TOML file at ``path``; raises SchemeError."""
    if not path:
        return Scheme()
    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as error:
        raise SchemeError(f"{where}: cannot read the scheme file ({error.strerror})") from None
    except UnicodeDecodeError:
        raise SchemeError(f"{where}: the scheme file is not UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise SchemeError(f"{where}: {error}") from None
    for section, value in data.items():
        if section not in ALLOWED or not isinstance(value, dict):
            raise SchemeError(
                f"{where}:{line_of(text, section)}: unknown section [{section}]; "
                f"use {', '.join(f'[{s}]' for s in ALLOWED if s != 'fields')} or [fields.<name>]"
            )
        if section != "fields":
            unknown_keys(value, ALLOWED[section], section, where, text)
    values = {"path": where, "extra_fields": extra_fields(data.get("fields", {}), where, text)}
    for section, key, name in [
        ("claim", "labels", "claim_labels"),
        ("attribution", "source_types", "source_types"),
        ("stance", "labels", "stance_labels"),
        ("stance", "targets", "stance_targets"),
    ]:
        if found := labels_of(data.get(section, {}), section, key, where, text):
            values[name] = found
    for section, name in [
        ("claim", "claim_level"),
        ("attribution", "source_type_level"),
        ("stance", "stance_level"),
    ]:
        if level := level_of(data.get(section, {}), section, where, text):
            values[name] = level
    scheme = Scheme(**values)
    if "none" not in scheme.stance_labels:
        raise SchemeError(
            f"{where}:{line_of(text, 'stance', 'labels')}: [stance] labels must include 'none' "
            "(the default: target not addressed)"
        )
    return scheme
