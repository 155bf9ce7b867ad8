"""Typo- and accent-tolerant name search, and the lookups behind the `q` of registry lists.

On PostgreSQL names are matched with pg_trgm on ``silakso_unaccent(lower(name))`` (a GIN index
serves it, see migration 0004): whole-name similarity, word similarity (a part of the name typed
with a typo) and plain substring. On the SQLite demo it falls back to a case-insensitive substring.
"""

import re
import unicodedata

from django.db import connection
from django.db.models import CharField, F, FloatField, Func, Q, QuerySet, Value
from django.db.models.functions import Greatest, Lower

from .nik import normalize_number

_NOT_LETTERS = re.compile(r"[^a-z0-9' ]+")
_SPACES = re.compile(r"\s+")


def normalize_name(text: str) -> str:
    """Lower case, accents removed, punctuation to spaces: 'Sïti  Rahayu.' → 'siti rahayu'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    return _SPACES.sub(" ", _NOT_LETTERS.sub(" ", plain)).strip()


class _Unaccent(Func):
    function = "silakso_unaccent"
    output_field = CharField()


def name_search(queryset: QuerySet, query: str, *, field: str = "name") -> QuerySet:
    """People whose name resembles ``query``, best matches first (annotated ``similarity``)."""
    normalized = normalize_name(query)
    if not normalized:
        return queryset.none()
    if connection.vendor != "postgresql":
        return queryset.filter(**{"{}__icontains".format(field): query.strip()}).annotate(
            similarity=Value(1.0, output_field=FloatField())
        )
    return (
        queryset.annotate(name_normalized=_Unaccent(Lower(field)))
        .filter(
            Q(name_normalized__trigram_similar=normalized)
            | Q(name_normalized__trigram_word_similar=normalized)
            | Q(name_normalized__contains=normalized)
        )
        .annotate(
            similarity=Greatest(
                Func(F("name_normalized"), Value(normalized), function="similarity"),
                Func(Value(normalized), F("name_normalized"), function="word_similarity"),
                output_field=FloatField(),
            )
        )
        .order_by("-similarity", "pk")
    )


def number_query(query: str) -> str | None:
    """The digits of a NIK / KK number typed with spaces or dots, or None for a name."""
    digits = normalize_number(query)
    return digits if digits.isdigit() and len(digits) >= 6 else None
