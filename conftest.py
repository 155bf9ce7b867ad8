"""Fixtures shared by every test: regions, users per role, signed-in clients, a real worker."""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Two neighbouring regencies of the real list: Bangka Tengah (the demo) and Bangka.
HOME_REGENCY = "19.04"
OTHER_REGENCY = "19.01"


def _ensure_regions() -> None:
    from dtks.models import Region
    from dtks.services import region_load_all

    for code in (HOME_REGENCY, OTHER_REGENCY):
        if not Region.objects.filter(code=code).exists():
            region_load_all(within=code)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load two real regencies once; every test then runs inside a rolled-back transaction."""
    with django_db_blocker.unblock():
        _ensure_regions()


@pytest.fixture(autouse=True)
def _clean_cache():
    """Rate-limit counters and job progress live in Redis: start every test from zero."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _site_language():
    """Every test starts in the site's language: a page asked for in English leaves English
    active in the thread (LocaleMiddleware does not switch back), and the next test's
    service messages would be English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def regions(db):
    """The two test regencies (reloaded after a transactional test flushed the tables)."""
    _ensure_regions()
    from dtks.models import Region

    return Region.objects


@pytest.fixture
def village_a(regions):
    """Koba (19.04.01.1001), a village of the home regency."""
    return regions.get(code="19.04.01.1001")


@pytest.fixture
def village_b(regions):
    """A different village of another district of the same regency."""
    return regions.filter(code__startswith="19.04.02.", level=4).order_by("code").first()


@pytest.fixture
def make_user(db):
    """make_user(role, region_code=None, **fields) → an active account (via the service)."""
    from core.tests.factories import make_user as factory

    return factory


@pytest.fixture
def login():
    """login(client, user): a signed-in session that has passed the second factor."""
    from core.tests.factories import login_with_second_factor

    return login_with_second_factor


@pytest.fixture
def celery_worker_thread(transactional_db):
    """A real Celery worker consuming from the test Redis, in a thread of this process."""
    from celery.contrib.testing.worker import start_worker

    from silakso.celery import app

    app.conf.broker_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


CHROMIUM = os.environ.get("SILAKSO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the whole run (Playwright's own download is not used)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def phone(browser, live_server, regions):
    """A phone-sized page (390×844, touch) pointed at the live server, Indonesian by default."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="id-ID",
        base_url=live_server.url,
    )
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _redis_breaker_closed():
    """Each test starts with Redis considered reachable (silakso.redis_health)."""
    from silakso import redis_health

    redis_health.reset()
    yield
    redis_health.reset()
