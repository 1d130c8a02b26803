"""The suggestions a workspace form offers, and how the saved form proves which.

The form carries a signed token naming its user, its sentence, whether the suggestions
were shown, and a digest of them: never the values themselves, which a hidden offer
(``SUGGESTIONS`` below 1) must not show in the page's source. On a save, the sentence's
stored suggestion (fixed once it is handed out) is recorded when its digest is the one the
form was made with; a form made with none records none; a form whose token is missing or
not one this app signed for this user and sentence records the stored suggestion.
"""

import hashlib

import orjson
from flask import current_app, request
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer

from .. import suggesting


class Offer:
    """The suggestions a new sentence comes with: ``fields`` {field name: (value, by,
    confidence)} as ``suggesting.offered`` gives them; ``shown`` whether the workspace
    pre-fills them (``SUGGESTIONS``) or only records them with the annotation."""

    def __init__(self, fields, shown):
        self.fields, self.shown = fields, shown

    def confidence(self, name):
        """A field's confidence as a percentage, or None."""
        value = self.fields.get(name, (None, None, None))[2]
        return None if value is None else round(100 * value)

    @property
    def digest(self):
        """A short digest of the suggested values, to be signed into the form."""
        return hashlib.blake2b(orjson.dumps(self.fields), digest_size=12).hexdigest()

    def provenance(self, labels, scheme):
        """The annotation's ``suggested`` record for these saved labels."""
        return suggesting.provenance(self.fields, self.shown, labels, scheme)


def offer_for(sentence_id, annotation, suggestion, scheme):
    """What to offer with a sentence: nothing once I have labelled it (a skip is no
    label), or when it has no suggestions."""
    fresh = annotation is None or annotation.skipped
    fields = suggesting.offered(suggestion, scheme) if fresh else {}
    if not fields:
        return None
    return Offer(fields, suggesting.shown_on(sentence_id, current_app.config["SUGGESTIONS"]))


def offer_tokens():
    """Signs which suggestions a form was made with into it."""
    return URLSafeSerializer(current_app.secret_key, salt="suggestion-offer")


def token_of(offer, sentence_id):
    """The form's token for ``offer`` (None: the form offers nothing)."""
    made = [offer.shown, offer.digest] if offer else [None, None]
    return offer_tokens().dumps([current_user.id, sentence_id, *made])


def submitted_offer(sentence_id, stored):
    """The Offer the submitted form was made with, as ``stored`` (what the sentence offers
    now) or None: see the module's docstring. When the stored one is no longer the one the
    form was made with (a reservation ran out and the claim was suggested again before
    this late save), what was shown is unknown and nothing is recorded."""
    try:
        user_id, offered_for, shown, digest = offer_tokens().loads(
            request.form.get("suggested") or ""
        )
    except (BadSignature, ValueError, TypeError):
        return stored
    if user_id != current_user.id or offered_for != sentence_id:
        return stored
    if digest is None or stored is None:
        return None
    return stored if (stored.shown, stored.digest) == (shown, digest) else None
