"""Template context every page gets."""

from django.conf import settings

from .extensions import collect, collect_grouped


def silakso(request) -> dict:
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    from .services import agency_profile

    agency = agency_profile()
    groups = collect_grouped("nav_items", user) if authenticated else []
    return {
        "SITE_NAME": settings.SILAKSO_SITE_NAME,
        "AGENCY_NAME": agency.name,
        "AGENCY": agency,
        "TWO_FACTOR_REQUIRED": settings.SILAKSO_REQUIRE_2FA,
        "nav_groups": groups,
        "nav_items": [item for group in groups for item in group["items"]],
        "public_actions": collect("public_actions", user) if user is not None else [],
    }
