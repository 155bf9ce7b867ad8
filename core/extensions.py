"""Shared pages collect what each SILAKSO app offers, without core importing every app.

An app's ``navigation`` module may define ``dashboard_cards(user)``, ``nav_items(user)`` and
``public_actions(user)``, and ``household_links(household, user)`` (applications, complaints and
cases shown on a household page), each returning a list of dicts; the apps are listed in
``settings.SILAKSO_APPS`` in menu order.
"""

from functools import cache
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType

from django.conf import settings


@cache
def _navigation_modules(apps: tuple[str, ...]) -> tuple[ModuleType, ...]:
    """The apps' ``navigation`` modules, looked up once per process (every page asks)."""
    return tuple(
        import_module(f"{app}.navigation")
        for app in apps
        if find_spec(f"{app}.navigation") is not None
    )


def collect_grouped(hook: str, *args) -> list[dict]:
    """What ``collect`` returns, kept per app: ``{"label": <app>.navigation.GROUP, "items": …}``
    for every app that offers something (the phone menu's headings)."""
    groups: list[dict] = []
    for module in _navigation_modules(tuple(settings.SILAKSO_APPS)):
        function = getattr(module, hook, None)
        items = function(*args) if function is not None else []
        if items:
            groups.append({"label": getattr(module, "GROUP", ""), "items": items})
    return groups


def collect(hook: str, *args) -> list[dict]:
    """Concatenate what ``<app>.navigation.<hook>(*args)`` returns for every SILAKSO app."""
    return [item for group in collect_grouped(hook, *args) for item in group["items"]]
