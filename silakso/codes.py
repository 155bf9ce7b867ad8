"""Tracking codes: one generator and one collision retry for every code residents type.

Codes are random, not sequential, so nobody enumerates requests by counting; 32 symbols without
look-alikes (no 0/O, 1/I) in two groups of four: ``U-7K3M-9P2Q``. 32^8 ≈ 10^12 codes, so a
collision is rare but possible: :func:`save_with_code` draws again inside a savepoint.
"""

import secrets
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.db.models import Model

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ATTEMPTS = 5


def tracking_code(prefix: str, length: int = 8) -> str:
    """A random code such as ``U-7K3M-9P2Q`` (``prefix`` names the kind: U, P, K, R...)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(length))
    return "{}-{}-{}".format(prefix, body[: length // 2], body[length // 2 :])


def normalize_code(text: str, prefix: str, length: int = 8) -> str:
    """What a resident typed (lower case, spaces, without dashes, without the prefix) in the
    canonical form, so ``u7k3m9p2q`` and ``U-7K3M-9P2Q`` find the same request."""
    raw = "".join(ch for ch in (text or "").upper() if ch.isalnum())
    if raw.startswith(prefix) and len(raw) == len(prefix) + length:
        raw = raw[len(prefix) :]
    if len(raw) != length:
        return (text or "").strip().upper()
    return "{}-{}-{}".format(prefix, raw[: length // 2], raw[length // 2 :])


def save_with_code(
    obj: Model, *, prefix: str, field: str = "code", save: Callable[[], object] | None = None
) -> Model:
    """Give ``obj`` a fresh code and save it (``save`` does the saving, for example a creation
    transition that also writes its history); on a code collision draw again.

    Any other integrity error (a constraint of the caller's) propagates unchanged.
    """
    model = type(obj)
    for _attempt in range(ATTEMPTS):
        code = tracking_code(prefix)
        setattr(obj, field, code)
        try:
            with transaction.atomic():
                (save or obj.save)()
            return obj
        except IntegrityError:
            if obj.pk is not None:  # saved, then rolled back with the savepoint
                obj.pk = None
                obj._state.adding = True
            if not model._default_manager.filter(**{field: code}).exists():
                raise
    raise RuntimeError("no free {} code after {} attempts".format(prefix, ATTEMPTS))
