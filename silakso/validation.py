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


def phone_number(value: str, field: str = "phone") -> str:
    """An Indonesian phone number in the form ``08…`` (a ``+62``/``62`` prefix becomes ``0``;
    spaces, dots and dashes go), or a ValidationError on ``field``. Empty stays empty.

    Mobile and landline numbers have 9 to 13 digits after the leading 0 is counted."""
    raw = (value or "").strip()
    if not raw:
        return ""
    if any(ch.isalpha() for ch in raw):
        raise ValidationError({field: _("Write a phone number such as 0812 3456 7890.")})
    digits = "".join(ch for ch in raw if ch.isdigit())
    if raw.lstrip().startswith("+") or digits.startswith("62"):
        digits = "0" + digits[2:] if digits.startswith("62") else digits
    if not digits.startswith("0") or not 9 <= len(digits) <= 13:
        raise ValidationError({field: _("Write a phone number such as 0812 3456 7890.")})
    return digits


def contact(phone: str, email: str, *, required: bool) -> tuple[str, str]:
    """(phone, email) checked together: every problem at once, and, when ``required``, at least
    one of them so that the person can be told what happens to what they sent."""
    from django.core.validators import validate_email

    errors: dict[str, list[str]] = {}
    try:
        phone = phone_number(phone)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        phone = ""
    email = (email or "").strip()[:254]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Write an email address such as nama@contoh.id.")]
    if required and not errors and not phone and not email:
        errors["phone"] = [_("Give a phone number or an email so we can tell you.")]
    if errors:
        raise ValidationError(errors)
    return phone, email
