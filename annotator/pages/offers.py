"""The suggestions a workspace form offers, and how the saved form proves which.

The form carries a signed token naming its user, its sentence and a digest of the offer
keyed with the app's secret key: never the values, nor whether they were shown, which a
hidden offer (``SUGGESTIONS`` below 1) must not give away in the page's source. On a save,
the sentence's stored suggestion (fixed once it is handed out) is recorded when its digest
is the one the form was made with; a form made with none records none; a form whose token
is missing or not one this app signed for this user and sentence records the stored one.
"""

import hmac

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

    def digest(self, sentence_id):
        """A digest of the offer on this sentence, keyed with the app's secret key: the
        same values on two sentences give two digests, and none can be guessed back."""
        made = orjson.dumps([sentence_id, self.shown, self.fields])
        key = current_app.secret_key
        return hmac.new(key.encode() if isinstance(key, str) else key, made, "blake2b").hexdigest()[
            :32
        ]

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
    digest = offer.digest(sentence_id) if offer else None
    return offer_tokens().dumps([current_user.id, sentence_id, digest])


def submitted_offer(sentence_id, stored):
    """The Offer the submitted form was made with, as ``stored`` (what the sentence offers
    now) or None: see the module's docstring. When the stored one is no longer the one the
    form was made with (a reservation ran out and the claim was suggested again before
    this late save), what was shown is unknown and nothing is recorded."""
    try:
        user_id, offered_for, digest = offer_tokens().loads(request.form.get("suggested") or "")
    except (BadSignature, ValueError, TypeError):
        return stored
    if user_id != current_user.id or offered_for != sentence_id:
        return stored
    if digest is None or stored is None:
        return None
    return stored if hmac.compare_digest(stored.digest(sentence_id), digest) else None
