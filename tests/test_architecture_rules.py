"""House rules that a grep can enforce (STYLE.md)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["silakso", "core", "dtks", "applications", "complaints", "referrals"]


def _sources():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or "tests" in path.parts:
                continue
            yield path


def test_status_is_only_assigned_in_services_and_workflows():
    offenders = []
    for path in _sources():
        if path.name in ("services.py", "workflow.py") or path.parent.name == "services":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            # a Python assignment statement (SQL text in strings is not one)
            if re.match(r"\s*[\w.\[\]]+\.status\s*=[^=]", line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}")
    assert offenders == []


def test_no_generic_module_names():
    assert [p for p in _sources() if p.name in ("utils.py", "helpers.py", "misc.py")] == []


def test_no_fstrings_inside_translations():
    offenders = []
    pattern = re.compile(r"""\b_\(\s*f["']|gettext(_lazy)?\(\s*f["']""")
    for path in _sources():
        if pattern.search(path.read_text()):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_atomic_requests_stay_off():
    from django.conf import settings

    assert not settings.DATABASES["default"].get("ATOMIC_REQUESTS")
