"""The label scheme: the default, loading a TOML replacement, and checking submitted labels."""

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import click

LEVELS = ("nominal", "ordinal", "interval", "ratio")
ALLOWED = {
    "claim": {"labels", "level"},
    "attribution": {"source_types", "level"},
    "stance": {"labels", "targets", "level"},
}


class SchemeError(click.ClickException, ValueError):
    """An invalid scheme file: names the file, the line and the problem.

    A ClickException so that ``flask`` prints it as one line instead of a traceback.
    """


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
    path: str | None = None

    def check(self, labels, sentence_length):
        """Errors in ``labels`` as {field: message}; empty when they fit this scheme."""
        errors = {}
        if labels.get("claim") not in self.claim_labels:
            errors["claim"] = f"choose one of {', '.join(self.claim_labels)}"
        attribution = labels.get("attribution") or {}
        if attribution.get("source_type") not in self.source_types:
            errors["source_type"] = f"choose one of {', '.join(self.source_types)}"
        for name in ("source", "cue"):
            span = attribution.get(name)
            if span is None:
                continue
            start, end = span.get("start"), span.get("end")
            if not (isinstance(start, int) and isinstance(end, int)):
                errors[name] = "a span needs a whole-number start and end"
            elif not 0 <= start < end <= sentence_length:
                errors[name] = (
                    f"span {start}–{end} is not inside the sentence (0–{sentence_length}) "
                    "or is empty; select the text again"
                )
        stance = labels.get("stance") or {}
        for target in self.stance_targets:
            if stance.get(target, "none") not in self.stance_labels:
                errors[f"stance.{target}"] = f"choose one of {', '.join(self.stance_labels)}"
        unknown = sorted(set(stance) - set(self.stance_targets))
        if unknown:
            errors["stance"] = f"unknown stance target(s): {', '.join(unknown)}"
        outlet = labels.get("outlet")
        if outlet is not None and (not isinstance(outlet, str) or len(outlet) > 200):
            errors["outlet"] = "the outlet is a name of at most 200 characters"
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


def labels_of(data, section, key, where, text):
    """A non-empty list of distinct, non-empty strings."""
    values = data[section].get(key)
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
                f"use {', '.join(f'[{s}]' for s in ALLOWED)}"
            )
        for key in value:
            if key not in ALLOWED[section]:
                raise SchemeError(
                    f"{where}:{line_of(text, section, key)}: unknown key '{key}' in [{section}]; "
                    f"allowed: {', '.join(sorted(ALLOWED[section]))}"
                )
    values = {"path": where}
    for section, key, field in [
        ("claim", "labels", "claim_labels"),
        ("attribution", "source_types", "source_types"),
        ("stance", "labels", "stance_labels"),
        ("stance", "targets", "stance_targets"),
    ]:
        if section in data and (found := labels_of(data, section, key, where, text)):
            values[field] = found
    for section, field in [
        ("claim", "claim_level"),
        ("attribution", "source_type_level"),
        ("stance", "stance_level"),
    ]:
        level = data.get(section, {}).get("level")
        if level is not None:
            if level not in LEVELS:
                raise SchemeError(
                    f"{where}:{line_of(text, section, 'level')}: [{section}] level {level!r} "
                    f"is not one of {', '.join(LEVELS)}"
                )
            values[field] = level
    scheme = Scheme(**values)
    if "none" not in scheme.stance_labels:
        raise SchemeError(
            f"{where}:{line_of(text, 'stance', 'labels')}: [stance] labels must include 'none' "
            "(the default: target not addressed)"
        )
    return scheme
