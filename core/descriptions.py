"""Recorded changes and object types as a person reads them.

Histories, the audit trail and edit conflicts store field names and raw values (``floor_area:
25.50 → 30``, ``kind: – → lkm_nik``, ``dtks.individual``); these turn them into the field's own
name, the choice's label, yes/no, and the kind of record in words, in the reader's language.
"""

import re

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _


def shown(value):
    """A recorded value as a person reads it (yes/no, not True/False; lists joined)."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list | tuple):
        return ", ".join(str(shown(v)) for v in value)
    if isinstance(value, dict):
        return "; ".join("{}: {}".format(k, shown(v)) for k, v in value.items())
    return value


def model_for(object_type: str) -> type[models.Model] | None:
    """The model an audit entry's ``app_label.model`` names, or None."""
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_type_label(object_type: str) -> str:
    """``dtks.individual`` → "Individu": what kind of record it is, in words."""
    model = model_for(object_type)
    if model is None:
        return object_type.rpartition(".")[2].replace("_", " ")
    return str(model._meta.verbose_name).capitalize()


def _field(candidates, name: str):
    for model in candidates:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if not field.auto_created or field.concrete:  # a reverse relation names no value
            return field
    return None


# Recorded changes that name no field of the record (what a merge, a round or a move wrote).
CHANGE_NAMES = {
    "merged_record": _("merged record"),
    "merged_into": _("merged into"),
    "merged_household": _("merged household"),
    "members_left": _("members who left"),
    "kk_number": _("KK number"),
}


def change_rows(changes: dict | None, *candidates: type[models.Model] | None) -> list[dict]:
    """Each recorded change as ``{"field", "before", "after"}``: the field's verbose name and
    the values' labels, looked up on the first of ``candidates`` that has the field (a name
    that is no field is shown as words; values stay as recorded)."""
    models_ = [model for model in candidates if model is not None]
    rows = []
    for name, values in (changes or {}).items():
        field = _field(models_, name)
        if isinstance(values, list | tuple) and len(values) <= 2:
            before, after = [*values, None, None][:2]
        else:
            before, after = None, values
        label = (
            getattr(field, "verbose_name", None) or CHANGE_NAMES.get(name) or name.replace("_", " ")
        )
        rows.append(
            {
                "field": str(label),
                "before": _value(field, before),
                "after": _value(field, after),
            }
        )
    return rows


def _value(field, value):
    if value is None or value == "":
        return None
    choices = dict(getattr(field, "flatchoices", None) or []) if field is not None else {}
    if choices and not isinstance(value, list | dict):
        return choices.get(value, value)
    if isinstance(value, list) and choices:
        return ", ".join(str(choices.get(v, v)) for v in value)
    return shown(value)


# Reasons the system itself writes into the audit trail (kept in English in the database, so
# searches and exports stay stable), shown in the reader's language.
SYSTEM_REASONS = {
    "referral summary": _("referral summary"),
    "evidence": _("evidence"),
    "track: found": _("tracking page: found"),
    "track: no match": _("tracking page: no match"),
    "cek bansos: found": _("Cek Bansos: found"),
    "cek bansos: no match": _("Cek Bansos: no match"),
    "demo seeded again": _("demo seeded again"),
    "recovery codes issued": _("recovery codes issued"),
    "locked out": _("locked out after too many failed sign-ins"),
    "local PMT": _("local PMT"),
    "set-up code issued": _("set-up code issued"),
}
_RECOVERY_USED = re.compile(r"^recovery code used, (\d+) left$")


def reason_in_words(text: str) -> str:
    """An audit entry's reason: a system phrase translated, a person's words as written."""
    if text in SYSTEM_REASONS:
        return str(SYSTEM_REASONS[text])
    prefix, colon, rest = text.partition(": ")
    if colon and prefix in SYSTEM_REASONS:
        return "{}: {}".format(SYSTEM_REASONS[prefix], rest)
    used = _RECOVERY_USED.match(text)
    if used:
        return str(_("recovery code used, {left} left")).format(left=used.group(1))
    return text
