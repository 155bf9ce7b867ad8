"""Template filters that show recorded changes and record kinds in words (core.descriptions)."""

from django import template

from core.descriptions import change_rows, model_for, object_type_label, reason_in_words

register = template.Library()

# The records a household's history and an edit conflict speak of, in lookup order.
HOUSEHOLD_RECORDS = ("dtks.household", "dtks.individual", "dtks.family")


@register.filter
def changes_in_words(changes, object_type: str = "") -> list[dict]:
    """``{% for change in event.changes|changes_in_words:"dtks.household" %}`` → rows with
    ``field``, ``before`` and ``after`` as a person reads them. For ``dtks.household`` the
    household's members and family card are looked up too."""
    types = HOUSEHOLD_RECORDS if object_type == "dtks.household" else (object_type,)
    return change_rows(changes, *(model_for(name) for name in types if name))


@register.filter
def record_kind(object_type: str) -> str:
    """``dtks.individual`` → "Individu"."""
    return object_type_label(object_type) if object_type else ""


@register.filter
def webhook_event(name: str) -> str:
    """``referral.sent`` → "A referral was sent" (the event type a partner subscribes to)."""
    from core.webhooks import EVENT_TYPES

    return str(EVENT_TYPES[name][0]) if name in EVENT_TYPES else name


@register.filter
def reason_words(text: str) -> str:
    """An audit reason the system wrote, in the reader's language (a person's words as typed)."""
    return reason_in_words(text) if text else ""


@register.filter
def iso_day(value) -> str:
    """A date kept as ``YYYY-MM-DD`` text (in a JSON record) as people write it: ``DD-MM-YYYY``."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(str(value)).strftime("%d-%m-%Y")
    except ValueError:
        return ""
