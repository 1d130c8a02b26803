"""The dataset card written beside an export: what is in it and how it was made."""

from collections import Counter

from ..adjudication import why_unsettled
from ..agreement.figures import figure
from ..text import markdown_text, shown

# the data dictionary: the keys before the labels, then the labels (``label_entries``),
# then the keys after them
DICTIONARY = [
    ("id", "`<document id>:<sentence index>`, unique"),
    ("text", "the sentence"),
    (
        "document",
        "`id`, `title`, `outlet`, `publisher`, `published` (ISO date), `url`, `author` (each "
        "null if unknown), `targets` (its stance targets, in order; possibly none)",
    ),
    (
        "position",
        "`index` of the sentence in its document (from 0); `start` and `end`, its character "
        "offsets in the cleaned document text",
    ),
    (
        "annotations",
        "one object per annotator (left out with `--final-only`): `annotator` (name or "
        "pseudonym), the labels below, `skipped`, `flagged`, `comment`, `seconds` spent, "
        "`created`, `updated` (UTC), and `suggested`: what the suggesters offered when it was "
        "first labelled (`shown` or hidden, and per field its `value`, `by`, `confidence` and "
        "whether it was `accepted`), or null",
    ),
    None,  # the label fields
    ("final", "the settled labels (the shape of an annotation's labels), or null"),
    (
        "final_source",
        "`gold` (a reviewer decided), `unanimous` or `majority` (`flask adjudicate --auto` or "
        "`flask export --auto`), or null",
    ),
    ("final_note", "the reviewer's note on the settled labels, or null"),
]


# why sentences have no final labels (``why_unsettled``), in this order
UNSETTLED = {
    "no annotations": "{have} no annotations (skips do not count)",
    "one annotation": "{have} only one annotation; automatic gold needs two or more",
    "unanimous": "{have} annotators who all agree but no gold yet: `--auto unanimous` "
    "settles {them}",
    "majority": "{have} a strict majority agreeing on every field but no gold yet: "
    "`--auto majority` settles {them}",
    "disagree": "{have} annotators who disagree and no reviewer's gold: settle {them} on "
    "/review/disagreements",
}


def words(count):
    """The verb and pronoun forms that go with ``count`` sentences."""
    one = count == 1
    return {"have": "has" if one else "have", "them": "it" if one else "them",
            "are": "is" if one else "are", "s": "" if one else "s"}  # fmt: skip


class Tally:
    """Counts gathered while records stream past, per split."""

    def __init__(self, scheme):
        self.scheme = scheme
        self.reasons = Counter()  # why sentences have no final labels, exported or not
        self.records = Counter()
        self.documents = {}
        self.annotations = Counter()
        self.final = Counter()
        self.sources = Counter()
        self.labels = {}  # field -> Counter of final labels
        self.target_documents = Counter()  # stance target -> documents that have it
        self.target_sentences = Counter()  # stance target -> their records
        self.assisted = Counter()  # annotations by what they recorded of the suggestions
        self.suggesters = Counter()  # suggester/version -> fields it suggested
        self.last_document = None

    def add(self, split, record):
        """Count one record of ``split`` (cheap: this runs for every sentence)."""
        self.records[split] += 1
        document = record["document"]
        if document is not self.last_document:  # a document's records share one dict
            self.last_document = document
            seen = self.documents.setdefault(split, set())
            if document["id"] not in seen:
                seen.add(document["id"])
                self.target_documents.update(document["targets"])
        self.target_sentences.update(document["targets"])
        annotations = record.get("annotations")
        if annotations:
            self.annotations[split] += len(annotations)
            for given in annotations:
                self.count_suggested(given.get("suggested"))
        if record["final"] is not None:
            self.final[split] += 1
            self.sources[record["final_source"]] += 1
            for field, value in flat_labels(record["final"], self.scheme):
                self.labels.setdefault(field, Counter())[value] += 1
        elif annotations is not None:  # without --final-only: why, from the record itself
            self.count_unsettled([given for given in annotations if not given["skipped"]])

    def count_suggested(self, suggested):
        """Count what one annotation recorded of the suggestions."""
        if suggested is None:
            self.assisted["none"] += 1
            return
        self.assisted["shown" if suggested.get("shown") else "hidden"] += 1
        self.suggesters.update(f.get("by") for f in suggested.get("fields", {}).values())

    def suggestion_lines(self):
        """How many annotations were made with suggestions, and by which suggesters."""
        shown, hidden, none = (self.assisted[k] for k in ("shown", "hidden", "none"))
        if not shown + hidden + none:
            return ["Suggestions: not counted (these records hold no annotations)."]
        lines = [
            f"Suggestions (`SUGGESTIONS`): {shown} annotations were made with suggested "
            f"labels pre-filled, {hidden} with them hidden (recorded, not shown), {none} on "
            "sentences without suggestions. Each annotation's `suggested` lists, per field, "
            "the value suggested, by which suggester and version (`by`), its confidence, and "
            "whether the annotator's first saved value was that one (`accepted`).",
        ]
        if self.suggesters:
            names = ", ".join(markdown_text(n) for n in sorted(self.suggesters, key=str))
            lines[0] += f" Suggesters: {names}."
        return lines

    def unsettled(self):
        """Records without final labels."""
        return sum(self.records.values()) - sum(self.final.values())

    def count_unsettled(self, all_labels):
        """Count why a sentence has no final labels, from its annotators' labels."""
        self.reasons[why_unsettled(all_labels, self.scheme)] += 1

    def why_unsettled(self):
        """A heading and one line per reason why sentences have no final labels; None and
        no lines when every sentence has them."""
        total = sum(self.reasons.values())
        if not total:
            return None, []
        left_out = total > self.unsettled()  # --final-only
        heading = "{total} sentence{s} {have} no final label".format(total=total, **words(total))
        if left_out:
            heading += " and {are} left out (`--final-only`)".format(**words(total))
        lines = [
            f"{self.reasons[reason]} " + text.format(**words(self.reasons[reason]))
            for reason, text in UNSETTLED.items()
            if self.reasons[reason]
        ]
        return heading + ":", lines


def flat_labels(labels, scheme):
    """(field, label) pairs of the categorical fields of a labels record; a per-target
    group counts every target it holds (one the scheme no longer lists too)."""
    pairs = []
    for field in scheme.agreed_fields:
        if field.target is None:
            pairs.append((field.name, field.value(labels)))
        elif field.target == scheme.groups[field.path[0]][0].target:  # once per group
            held = labels.get(field.path[0])
            if isinstance(held, dict):
                pairs += [(f"{field.path[0]}.{target}", value) for target, value in held.items()]
    return [(name, value) for name, value in pairs if value is not None]


SPAN_MEANING = (
    "`start`, `end` (offsets in `text`, end excluded) and the `text` covered; null when not marked"
)


def meaning(field):
    """What one label field holds, for the data dictionary."""
    if field.kind == "choice":
        ordered = "" if field.level == "nominal" else f", {field.level}"
        return (
            f"{markdown_text(field.title)}: one of the labels of `{field.name}` in the label "
            f"scheme{ordered}"
        )
    if field.kind == "span":
        return f"a span: {SPAN_MEANING}"
    return field.about or "typed text"


def label_entries(scheme):
    """The data dictionary's entries of the label fields, one per top-level key."""
    entries = []
    for key in scheme.top_level:
        fields = scheme.groups.get(key)
        if fields is None:
            entries.append((key, meaning(scheme.named[key])))
        elif fields[0].target is not None:
            entries.append(
                (
                    key,
                    f"target: {key} label, for each target of the document that the annotator "
                    f"was asked (`none`: asked, no {key}); a target added to the document after "
                    "the annotation is absent (not asked), never `none`",
                )
            )
        else:
            parts = [f"`{field.path[-1]}`: {meaning(field)}" for field in fields]
            entries.append((key, "; ".join(parts)))
    return entries


def scheme_lines(scheme):
    """The label scheme's choices and levels, one line per choice field (one per group of
    per-target fields)."""
    lines, seen = [], set()
    for field in scheme.choice_fields:
        if field.target is None:
            lines.append(
                f"- {markdown_text(field.name)} ({field.level}): {comma_separated(field.choices)}"
            )
        elif field.path[0] not in seen:
            seen.add(field.path[0])
            targets = [each.target for each in scheme.groups[field.path[0]]]
            lines.append(
                f"- {markdown_text(field.path[0])} ({field.level}): "
                f"{comma_separated(field.choices)}; targets: {comma_separated(targets)}"
            )
    return lines


def target_lines(tally, scheme, agreement):
    """The stance targets: how many documents and sentences of the export have each, and
    its agreement over the sentences two or more annotators were asked it on."""
    group = next((key for key, targets in scheme.targets.items() if targets), None)
    if group is None:
        return []
    lines = [
        f"## {markdown_text(group.capitalize())} targets",
        "",
        "Each document has its own targets (`document.targets`); a target counts only on its "
        "documents' sentences, and only for the annotators who were asked it.",
        "",
        "| target | documents | sentences | items | alpha | items, claims only | alpha, claims "
        "only |",
        "|---|---|---|---|---|---|---|",
    ]
    for field in scheme.groups[group]:
        name = f"{group}.{field.target}"
        every = agreement["fields"].get(name, {})
        claims = agreement.get("claims_only", {}).get(name, {})
        lines.append(
            f"| {markdown_text(field.target)} | {tally.target_documents[field.target]} "
            f"| {tally.target_sentences[field.target]} | {every.get('items', '—')} "
            f"| {figure(every.get('alpha'))} | {claims.get('items', '—')} "
            f"| {figure(claims.get('alpha'))} |"
        )
    return [*lines, ""]


def comma_separated(values):
    """Labels, targets or the like, comma-separated, as Markdown text."""
    return ", ".join(map(markdown_text, values))


def card(name, command, moment, files, tally, scheme, agreement, comments=True, blind=False):
    """The Markdown text of the dataset card. Every value from the data (labels, outlets,
    field names, file names) goes in as ``markdown_text``, so none can add a heading, a
    link, an image or HTML to it."""
    lines = [
        f"# Dataset card: {markdown_text(name)}",
        "",
        f"Exported {moment} with:",
        "",
        f"    {shown(command)}",  # an indented code block: literal, on one line
        "",
        "## Files",
        "",
        "| split | file | records | documents | annotations (skips included) | with final labels |",
        "|---|---|---|---|---|---|",
    ]
    for split, path in files.items():
        documents = len(tally.documents.get(split, ()))
        lines.append(
            f"| {markdown_text(split)} | {markdown_text(path.name)} | {tally.records[split]} "
            f"| {documents} | {tally.annotations[split]} | {tally.final[split]} |"
        )
    lines += ["", "One JSON object per line, UTF-8, in document order then reading order.", ""]
    if not comments:
        lines += [
            "Free text left out (`--no-comments`): every `comment` (skip reasons included) "
            "and `final_note` is null.",
            "",
        ]
    lines += [
        "## How the labels were made",
        "",
        "Outlet-blind (`BLIND_OUTLET=1` when exported): annotators did not see the article's "
        "outlet or publisher; a sentence's outlet label is the article's unless they named "
        "another outlet it relays."
        if blind
        else "Outlet shown (`BLIND_OUTLET` off when exported): annotators saw the article's "
        "outlet and publisher, and the outlet input was filled with the article's.",
        "",
        *tally.suggestion_lines(),
        "",
        "## How `final` was decided",
        "",
    ]
    lines += [
        f"- `gold`: a reviewer decided (`/review/disagreements`): {tally.sources['gold']} records",
        f"- `unanimous`: every annotator gave the same labels on every field "
        f"(`flask export --auto unanimous` or `flask adjudicate --auto unanimous`): "
        f"{tally.sources['unanimous']} records",
        f"- `majority`: a strict majority of annotators agreed on every field "
        f"(`flask export --auto majority` or `flask adjudicate --auto majority`): "
        f"{tally.sources['majority']} records",
        f"- no final labels: {tally.unsettled()} records",
        "",
        "A reviewer's gold is never replaced by the automatic methods.",
        "",
    ]
    heading, reasons = tally.why_unsettled()
    if heading:
        lines += ["### Sentences without final labels", "", heading, ""]
        lines += [f"- {line}" for line in reasons] + [""]
    lines += ["## Label distribution", ""]
    listed = len(lines)
    for field, counts in sorted(tally.labels.items()):
        counted = ", ".join(f"{markdown_text(label)}: {n}" for label, n in counts.most_common())
        lines.append(f"- final · {markdown_text(field)}: {counted}")
    for field, figures in agreement["fields"].items():
        used = {label: n for label, n in figures.get("label_counts", {}).items() if n}
        if used:
            counted = ", ".join(
                f"{markdown_text(label)}: {n}"
                for label, n in sorted(used.items(), key=lambda x: -x[1])
            )
            lines.append(
                f"- annotations (sentences with two or more) · {markdown_text(field)}: {counted}"
            )
    if len(lines) == listed and agreement.get("error"):
        lines.append(
            "No final labels yet; the annotations' labels are counted with the agreement, "
            "which was not computed (see below)."
        )
    elif len(lines) == listed:
        lines.append("No labels to count yet.")
    lines += ["", "## Agreement (all annotations in the database)", ""]
    if agreement.get("error"):
        lines += [f"Not computed: {markdown_text(agreement['error'])}", ""]
    lines += [
        "| field | items | percent | alpha | alpha 95% interval | Fleiss κ | AC1 | Cohen κ |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for field, f in agreement["fields"].items():
        field = markdown_text(field)
        if "f1_exact" in f:
            lines.append(
                f"| {field} | {f['items']} | F1 exact {figure(f['f1_exact'])}, overlap "
                f"{figure(f['f1_overlap'])} | | | | | |"
            )
            continue
        interval = f["alpha_ci95"]
        bounds = f"{figure(interval[0])} to {figure(interval[1])}" if interval else "—"
        lines.append(
            f"| {field} | {f['items']} | {figure(f['percent'])} | {figure(f['alpha'])} | {bounds} "
            f"| {figure(f['fleiss_kappa'])} | {figure(f['ac1'])} | {figure(f['cohen_kappa'])} |"
        )
    lines += ["", "`flask agreement` gives the details and the reasons for any —.", ""]
    lines += target_lines(tally, scheme, agreement)
    lines += [
        "## Label scheme",
        "",
        *scheme_lines(scheme),
        "",
        "## Data dictionary",
        "",
    ]
    for entry in DICTIONARY:
        for key, text in [entry] if entry else label_entries(scheme):
            lines.append(f"- `{key}`: {text}")
    return "\n".join(lines) + "\n"
