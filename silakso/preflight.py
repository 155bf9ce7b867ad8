"""Turn configuration and connectivity mistakes into one clear line at start-up.

An operator who forgets DJANGO_SECRET_KEY or points DATABASE_URL at a stopped server should
read what is wrong, not a 60-line traceback.
"""

import contextlib
import sys
from collections.abc import Iterator


def _message(exc: BaseException) -> str | None:
    from django.core.exceptions import ImproperlyConfigured

    if isinstance(exc, ImproperlyConfigured):
        return f"configuration error: {exc}"
    try:
        from django.db.utils import OperationalError
    except ImportError:  # pragma: no cover - Django itself missing
        return None
    if isinstance(exc, OperationalError):
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        return f"database unreachable: {first} (check DATABASE_URL)"
    return None


@contextlib.contextmanager
def fail_clearly() -> Iterator[None]:
    """Print one line and exit 1 on a configuration or database-connection error."""
    try:
        yield
    except Exception as exc:
        message = _message(exc)
        if message is None:
            raise
        sys.stderr.write(f"SILAKSO cannot start: {message}\n")
        sys.exit(1)


def check_database() -> None:
    """Open a database connection now, so a web server does not start half-alive."""
    from django.db import connection

    connection.ensure_connection()
