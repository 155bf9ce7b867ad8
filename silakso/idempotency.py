"""Submitting the same thing twice creates it once — and only for whoever submitted it.

A page's form carries a key the server issued and signed when it drew the form
(:func:`new_form_key`); a retry after an error, a double tap or a lost answer sends the same
key, and ``silakso.forms.run_once`` answers with what the first submission made. Because the
key is signed and random, nobody can send someone else's key: it is never a way to another
person's request. An API client chooses its own ``submission_key``; it is scoped to that
client (:func:`caller_scope`), so two partners' ``mpp-7781`` never meet.
"""

import hashlib
import uuid

from django.core import signing

SALT = "silakso-submission"
MAX_AGE = 2 * 24 * 3600


def new_form_key() -> str:
    """A fresh signed key for a form that creates something."""
    return signing.TimestampSigner(salt=SALT).sign(uuid.uuid4().hex)


def form_scope(value: str | None) -> str | None:
    """The stored key for a form's submitted key, or None when it is missing, forged or old."""
    if not value:
        return None
    try:
        raw = signing.TimestampSigner(salt=SALT).unsign(value, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    return "form:" + raw


def caller_scope(raw: str | None, user) -> str | None:
    """The stored key for an API client's own ``submission_key`` (scoped to that client)."""
    if not raw or user is None or not getattr(user, "pk", None):
        return None
    digest = hashlib.sha256("{}:{}".format(user.pk, raw).encode()).hexdigest()[:48]
    return "api:{}:{}".format(user.pk, digest)[:64]
