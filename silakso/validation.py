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


def partner_url_problem(url: str) -> str:
    """Why SILAKSO will not send personal data to ``url``, or "" when it may.

    A partner's system is reached over HTTPS, at a name that resolves only to public
    addresses: never loopback, the private ranges, link-local (cloud metadata) or other
    reserved addresses, where a webhook would turn the worker into a door to the internal
    network. Checked when the URL is saved and again before each delivery (a name can be
    pointed elsewhere later). ``SILAKSO_WEBHOOK_ALLOW_PRIVATE`` lifts the rule for a local
    test receiver only.
    """
    import ipaddress
    import socket
    from urllib.parse import urlsplit

    from django.conf import settings

    try:
        parts = urlsplit((url or "").strip())
        port = parts.port
    except ValueError:
        return _("This is not a web address.")
    allow_private = getattr(settings, "SILAKSO_WEBHOOK_ALLOW_PRIVATE", False)
    if parts.scheme != "https" and not (allow_private and parts.scheme == "http"):
        return _("The address must start with https:// (the data are sent encrypted).")
    if not parts.hostname:
        return _("This is not a web address.")
    if allow_private:
        return ""
    try:
        found = socket.getaddrinfo(parts.hostname, port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return _("This name cannot be found on the internet.")
    for _family, _type, _proto, _name, address in found:
        if not ipaddress.ip_address(address[0].split("%")[0]).is_global:
            return _(
                "This address is inside a private network. Use the partner's public HTTPS address."
            )
    return ""
