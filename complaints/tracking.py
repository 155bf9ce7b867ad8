"""The secret word of an anonymous misuse report: the only way its reporter follows it.

It is shown once and stored salted and stretched (PBKDF2-SHA256), so a copy of the database
does not give the words away. Twelve symbols of the tracking-code alphabet (≈ 60 bits) in three
groups a resident can copy by hand: ``7K3M-9P2Q-XR4T``; typed in lower case or without dashes
it matches all the same.
"""

import hashlib
import hmac
import secrets

from silakso.codes import ALPHABET

ITERATIONS = 120_000
LENGTH = 12


def new_secret() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(body[i : i + 4] for i in range(0, LENGTH, 4))


def _canonical(secret: str) -> str:
    return "".join(ch for ch in (secret or "").upper() if ch.isalnum())


def hash_secret(secret: str) -> str:
    """``pbkdf2$<iterations>$<salt>$<hash>`` of the canonical secret."""
    salt = secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", _canonical(secret).encode(), salt.encode(), ITERATIONS)
    return "pbkdf2${}${}${}".format(ITERATIONS, salt, digest.hex())


def secret_matches(stored: str, secret: str) -> bool:
    """Whether ``secret`` is the one whose hash is ``stored`` (constant time)."""
    if not stored or not secret:
        return False
    if stored.startswith("pbkdf2$"):
        _scheme, iterations, salt, expected = stored.split("$", 3)
        digest = hashlib.pbkdf2_hmac(
            "sha256", _canonical(secret).encode(), salt.encode(), int(iterations)
        )
        return hmac.compare_digest(digest.hex(), expected)
    # reports filed before the secrets were salted: the old unsalted form
    legacy = hashlib.sha256(("silakso-complaint:" + secret.strip().upper()).encode()).hexdigest()
    return hmac.compare_digest(stored, legacy)
