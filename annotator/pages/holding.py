"""What a workspace page that saves in the background says with each request: the sentences
it holds (on screen, fetched ahead, saves on their way), the one it shows, whether a save is
sent from behind the next sentence, and whether a save is one sent again."""

from flask import request

from .incoming import whole_number

# A page holds the sentence it shows, one fetched ahead and the saves on their way: a few.
MOST_HELD = 20
# What annotate.js sends with a save it makes in the background (the next sentence is on
# screen already): the answer keeps its real status, so the script can tell a refusal.
BACKGROUND = ("X-Background", "save")


def in_background():
    """Whether this request is a save annotate.js makes in the background."""
    name, value = BACKGROUND
    return request.headers.get(name) == value


def holding():
    """The sentences the page says it holds (``holding`` fields): its leases on them are
    renewed and none of them is handed out again. Anything but ids is left out."""
    ids = (whole_number(value) for value in request.form.getlist("holding")[:MOST_HELD])
    return tuple(dict.fromkeys(found for found in ids if found is not None))


def shown_after():
    """The sentence the page shows now (``after``), or None: the next continues its
    article, and its way back leads there."""
    return whole_number(request.form.get("after"))


def sent_again(annotation, values, revision):
    """Whether this save is one stored already, sent again because its answer was lost (a
    connection cut, a server killed after its commit): what is stored is what it sends, one
    version after the one its form showed."""
    return (
        annotation is not None
        and revision is not None
        and annotation.revision == revision + 1
        and annotation.skipped == values["skipped"]
        and (annotation.labels or {}) == values["labels"]
        and annotation.flagged == values["flagged"]
        and annotation.comment == values["comment"]
    )
