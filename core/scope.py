"""The one geographic scope mechanism every list, detail, export and API endpoint goes through.

Region codes are Kemendagri codes in dotted canonical form ("19.04.05.2001"), fixed width per
level, so "inside region R" is "equal to R or starts with 'R.'" — one indexed LIKE on
PostgreSQL, no joins up the hierarchy. Models expose ``visible_to(user)`` built on
:func:`region_q`; an object outside the caller's scope is simply not found (404).
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from .choices import Role

#: A filter that matches nothing (Django turns it into an empty result without a query).
NOTHING = Q(pk__in=[])

# Roles whose reads are not geographic: residents see their own records, providers the
# referrals sent to them, a partner OPD's program manager the recipients of its own programs.
# Their app selectors grant those rows explicitly.
NON_REGIONAL_ROLES = frozenset({Role.RESIDENT, Role.PROVIDER_ADMIN, Role.PROGRAM_MANAGER})


def within(field: str, code: str) -> Q:
    """Rows whose region code ``field`` is ``code`` or lies inside it: the one way "inside
    region R" is written (scope, filtersets, services, reports)."""
    return Q(**{field: code}) | Q(**{f"{field}__startswith": code + "."})


def code_within(code: str | None, region: str) -> bool:
    """Python twin of :func:`within` for a single code."""
    return code is not None and (code == region or code.startswith(region + "."))


def region_q(user, field: str) -> Q:
    """Filter for rows whose region code ``field`` lies inside ``user``'s scope.

    Rows with no region are visible to regency-wide (or wider) roles only, never to a village
    or district account — a leak peer systems have had (research/peer-systems.md §4).
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_installation_wide:
        return Q()
    code = user.scope_code
    if code is None or user.role in NON_REGIONAL_ROLES:
        return NOTHING
    q = within(field, code)
    if user.is_regency_wide:
        q |= Q(**{f"{field}__isnull": True})
    return q


def region_in_scope(user, code: str | None) -> bool:
    """Object-level twin of :func:`region_q`, for writes that name a region."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_installation_wide:
        return True
    scope = user.scope_code
    if scope is None or user.role in NON_REGIONAL_ROLES:
        return False
    if code is None:
        return user.is_regency_wide
    return code_within(code, scope)


def assert_in_scope(user, code: str | None) -> None:
    """Refuse to create something in a region outside the user's area (a write on an existing
    object locks it through ``visible_to`` instead: ``core.services.object_lock``). Answered
    like a miss (404), so nobody learns what lies outside."""
    from silakso.exceptions import OutOfScope

    if not region_in_scope(user, code):
        raise OutOfScope(_("This is outside the area you work in."))
