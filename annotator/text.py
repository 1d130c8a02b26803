"""Text that comes from outside (articles, their metadata, what annotators type): what is
dropped on the way in, by the same rules for the importer and every form, and how what is
stored reaches a terminal or a Markdown document."""

import json
import re

# Never part of the text. Control characters drive terminals (colours, window titles, the
# cursor); bidirectional controls reorder what is shown around them, so that text reads other
# than it is stored (marks, embeddings, overrides, isolates, the Arabic letter mark); the
# rest are invisible (zero-width space, word joiner, byte order mark, soft hyphen, interlinear
# annotation marks, the tag characters that can hide a whole text inside another — a Scottish
# or Welsh flag emoji becomes a plain black flag —, ...).
CONTROL = [*range(0x20), 0x7F, *range(0x80, 0xA0)]
BIDI = [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
INVISIBLE = [0x00AD, 0x180E, 0x200B, *range(0x2060, 0x2065), *range(0x206A, 0x2070), 0xFEFF,
             *range(0xFFF9, 0xFFFC), *range(0xE0000, 0xE0080)]  # fmt: skip
SPACES = [0x09, 0x0B, 0x0C, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029,
          0x202F, 0x205F, 0x3000]  # fmt: skip
LINES = dict.fromkeys([*CONTROL, *BIDI, *INVISIBLE]) | dict.fromkeys(SPACES, " ") | {10: "\n"}
ONE_LINE = LINES | {10: " ", 13: " "}
# The zero-width joiner and non-joiner spell Persian, Arabic and Indic words and join emoji
# (👩‍💻): they stay between two characters that are not spaces, and go where they can only
# hide (at either end of the text, a line or a word). A run is looked at from its start only
# and never given back (++): from every joiner of a long run, matching took quadratic time.
STRAY_JOINERS = re.compile(r"(?<!\S)[\u200c\u200d]+|(?<![\u200c\u200d])[\u200c\u200d]++(?!\S)")


def plain(value, lines=False):
    """``value`` without control, bidirectional and invisible characters, its odd spaces and
    tabs made spaces, and its line breaks too unless ``lines`` (then they are all ``\\n``).
    None stays None; nothing is stripped."""
    if value is None:
        return None
    value = value.replace("\r\n", "\n")
    if lines:
        value = value.replace("\r", "\n")
    value = value.translate(LINES if lines else ONE_LINE)
    if "\u200c" in value or "\u200d" in value:
        value = STRAY_JOINERS.sub("", value)
    return value


def plain_lines(value):
    """``plain`` keeping line breaks: for text areas (comments, notes)."""
    return plain(value, lines=True)


# What a terminal must not receive as it is, written as an escape instead (ESC as the four
# characters \x1b): every character ``plain`` drops, tabs and line breaks included.
ESCAPED = [*CONTROL, *BIDI, *INVISIBLE, 0x2028, 0x2029]
SHOWN = {c: f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}" if c < 0x10000 else f"\\U{c:08x}"
         for c in ESCAPED}  # fmt: skip
SHOWN |= {9: "\\t", 10: "\\n", 13: "\\r"}


def json_escape(code):
    """How JSON writes a character as an escape: past U+FFFF, as its UTF-16 surrogate pair."""
    if code < 0x10000:
        return f"\\u{code:04x}"
    high, low = divmod(code - 0x10000, 0x400)
    return f"\\u{0xD800 + high:04x}\\u{0xDC00 + low:04x}"


JSON_SHOWN = {c: json_escape(c) for c in ESCAPED if c >= 0x20}  # json escapes the C0 ones


def shown(value):
    """``value`` as text for a terminal: any control, bidirectional or invisible character
    (stored before they were dropped, or typed on the command line) as a visible escape."""
    return str(value).translate(SHOWN)


def shown_json(data, **options):
    """``data`` as JSON for a terminal: not ASCII-escaped, but with the characters ``shown``
    escapes written as ``\\u`` and four hex digits (``json`` escapes only those below U+0020)."""
    return json.dumps(data, ensure_ascii=False, **options).translate(JSON_SHOWN)


# Markdown: the ASCII punctuation that makes a construct inside a line (emphasis, code, links
# and images, tables, strikethrough, math, footnotes, attributes, autolinks after "http:" or
# "a@", emoji codes) escaped with a backslash, "www." too (an autolink on GitHub), and <, >, &
# as entities, which every renderer reads as text (not every one honours \<).
MARKDOWN = {ord(c): "\\" + c for c in "\\`*_[]!#|~:@$^{}+="} | {
    ord("<"): "&lt;",
    ord(">"): "&gt;",
    ord("&"): "&amp;",
}
WWW = re.compile(r"(?<=www)\.", re.I)


def markdown_text(value):
    """``value`` as text inside a line of Markdown (after other text, or in a table cell):
    no construct of its own (heading, link, image, HTML, emphasis, code, cell); control
    characters as ``shown`` writes them, so it stays on its line."""
    return WWW.sub(r"\\.", shown(value).translate(MARKDOWN))
