"""Checks services share on what people type."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def required_text(
    value: str, field: str, *, message: str = "", minimum: int = 5, maximum: int = 2000
) -> str:
    """``value`` stripped, or a ValidationError on ``field``: too short (``message``, by
    default "write a sentence or two") or longer than ``maximum`` characters."""
    value = (value or "").strip()
    if len(value) < minimum:
        raise ValidationError({field: message or _("Write a sentence or two.")})
    if len(value) > maximum:
        raise ValidationError(
            {field: _("Keep it under {count} characters.").format(count="{:,}".format(maximum))}
        )
    return value
