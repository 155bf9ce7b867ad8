"""Every page of the site, as the role that uses it, on a 360 px phone, with long data.

The demo is seeded, its records are stretched to the longest values the fields take (an unbroken
120-letter name, a long address, long complaint and application texts), then each demo account
walks the site by following its own links, as a person would. Every page reached is opened in
headless Chromium at 360 × 740: it fails if the document is wider than the screen, if axe-core
finds a violation, or if an `aria-describedby` points at nothing. The same pages, as the Django
test client renders them in Indonesian, fail on a raw code, a model label or an English word.
"""

import html
import os
import re
from collections import OrderedDict
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import User
from core.tests.factories import login_with_second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
WIDTH = 360
# SILAKSO_SWEEP_SHOTS=/some/dir keeps a full-page screenshot of every page visited, to look at.
SHOTS = os.environ.get("SILAKSO_SWEEP_SHOTS")
MAX_ELEMENTS = 5000
LONG_NAME = "Nurhayatibintimuhammadabdullahsyarifuddinalkadrie" * 3
LONG_TEXT = (
    "Rumah kami di ujung gang sempit dekat sungai, " * 6
    + "https://contoh.desa.id/laporan/"
    + "x" * 120
)

# Links a person follows without changing anything; everything else (files, the language
# switch, signing out) is left to the tests of those features.
SKIP_PREFIXES = ("/static/", "/media/", "/i18n/", "/admin/", "/api/", "/akun/keluar/")
SKIP_NAMES = {
    "core:logout",
    "dtks:photo_file",
    "dtks:registry_export",
    "dtks:registry_import_example",
    "core:job_report",
}
# Pages not linked from anywhere a role can click to, opened directly (from the demo's data).
# Reached by every crawl: the rest of URL_MATRIX's HTML pages.


def _stretch_demo_data():
    """The demo's records, as long as their fields allow."""
    from applications.models import Application
    from complaints.models import Complaint
    from dtks.models import Household, Individual
    from referrals.models import Provider

    operator = User.objects.get(username="operator.desa")
    person = Individual.objects.filter(household__village=operator.region).order_by("id").first()
    limit = Individual._meta.get_field("name").max_length
    Individual.objects.filter(pk=person.pk).update(name=LONG_NAME[:limit])
    address_limit = Household._meta.get_field("address").max_length
    Household.objects.filter(pk=person.household_id).update(address=LONG_TEXT[:address_limit])
    Application.objects.filter(pk__in=Application.objects.order_by("id").values("pk")[:3]).update(
        reason=LONG_TEXT,
        applicant_name=LONG_NAME[: Application._meta.get_field("applicant_name").max_length],
        address=LONG_TEXT[:255],
    )
    Complaint.objects.filter(pk__in=Complaint.objects.order_by("id").values("pk")[:3]).update(
        description=LONG_TEXT
    )
    provider_limit = Provider._meta.get_field("name").max_length
    Provider.objects.filter(pk=Provider.objects.order_by("id").first().pk).update(
        name=LONG_NAME[:provider_limit]
    )


# Words that mean a value reached the page untranslated (a status code, a Python literal, an
# English result line); whole words, case as written.
ENGLISH = {
    "None",
    "True",
    "False",
    "rows",
    "accepted",
    "rejected",
    "finalised",
    "ratified",
    "queued",
    "running",
    "succeeded",
    "pending",
    "submitted",
}
# choice values that are also ordinary words of the pages (a label "Email" for "email")
WORDS_IN_INDONESIAN = {
    "desa",
    "kelurahan",
    "kecamatan",
    "kabupaten",
    "kota",
    "provinsi",
    "program",
    "email",
    "office",  # "Petugas Front Office": the role as offices name it
}
RAW_CODES: set[str] = set()
MODEL_LABEL = re.compile(r"\b(?:core|dtks|applications|complaints|referrals)\.[a-z_]+\b")


def _raw_codes() -> set[str]:
    """Every stored choice value that differs from what it means (``in_review``, ``lkm_nik``)."""
    from django.apps import apps

    codes = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or []:
                if isinstance(value, str) and len(value) > 3 and value != str(label):
                    codes.add(value)
    return codes


def _raw_words(text: str) -> list[str]:
    text = re.sub(r"\S+://\S+|\S+@\S+", " ", text)  # addresses shown on purpose
    words = set(re.findall(r"[A-Za-z_]+", text))
    return sorted((words & (ENGLISH | RAW_CODES)) | set(MODEL_LABEL.findall(text)))


def _work_waiting():
    """What the demo leaves to its users, done once: a data problem and a field campaign in
    Koba, a background job started."""
    from dtks.models import Flag, Household, PmtWeightSet
    from dtks.pmt import DEFAULT_WEIGHTS
    from dtks.services import campaign_create, pmt_rank_start, pmt_weight_set_save

    operator = User.objects.get(username="operator.desa")
    household = Household.objects.filter(village=operator.region).order_by("pk").first()
    Flag.objects.create(household=household, kind="no_head", reason=LONG_TEXT)
    head = household.members.order_by("pk").first()
    Flag.objects.create(
        household=household,
        individual=head,
        kind="civil_address",
        reason=LONG_TEXT,
        evidence={
            "field": "address",
            "ours": "{} RT 001/RW 002".format(household.village_id),
            "theirs": "{} RT 007/RW 002".format(household.village_id),
        },
    )
    _round_waiting(household.village_id)
    campaign_create(name=("Verifikasi " + LONG_NAME)[:150], region=operator.region, actor=operator)
    manager = User.objects.get(username="pengelola.data")
    pmt_rank_start(actor=manager)
    pmt_weight_set_save(
        weight_set=PmtWeightSet(name="Bobot " + LONG_NAME[:100], weights=DEFAULT_WEIGHTS),
        actor=manager,
    )


def _round_waiting(village: str) -> None:
    """A national extract compared and proposed: the head of division has it to decide."""
    import datetime as dt

    from dtks.models import RegistryRound

    manager = User.objects.get(username="pengelola.data")
    registry_round = RegistryRound.objects.create(
        name="DTSEN " + LONG_NAME[:100],
        extract_date=dt.date(2026, 11, 1),
        filename=LONG_NAME[:100] + ".csv",
        path="rounds/sweep.csv",
        status="proposed",
        created_by=manager,
        proposed_by=manager,
        region_code=manager.scope_code,
        counts={"rows": 123456, "accepted": 123400, "rejected": 56},
        by_village={
            village: {
                "households": {"new": 12, "changed": 345, "unchanged": 6789, "absent": 23},
                "people": {"new": 40, "changed": 1200, "unchanged": 24000, "absent": 80},
            }
        },
    )
    registry_round.entries.create(change="absent", dtks_id="SYN1", name=LONG_NAME[:150])


def _url_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def _crawl(client: Client, refused: list, limit: int = 400) -> "OrderedDict[str, str]":
    """url name → the first URL of it this client reached by following links from home; a
    link that answers anything but a page or a redirect is added to ``refused``."""
    pages: OrderedDict[str, str] = OrderedDict()
    queue, queued_names = ["/"], {"core:home"}
    while queue and len(pages) < limit:
        url = queue.pop(0)
        response = client.get(url)
        if response.status_code not in (200, 301, 302):
            refused.append((url, response.status_code))
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        pages.setdefault(_url_name(urlsplit(url).path), url)
        for href in re.findall(r'<a\b[^>]*\bhref="([^"#][^"]*)"', response.content.decode()):
            target = urljoin(url, html.unescape(href))
            parts = urlsplit(target)
            if parts.netloc or parts.scheme or parts.path.startswith(SKIP_PREFIXES):
                continue
            name = _url_name(parts.path)
            if name is None or name in queued_names or name in SKIP_NAMES:
                continue
            queued_names.add(name)
            queue.append(parts.path + ("?" + parts.query if parts.query else ""))
    return pages


@pytest.fixture
def demo_walk(db):
    """(username, url name, url) for every page each demo account reaches, each name once
    (by the first account that reaches it), plus every account's landing page."""
    call_command("seed_demo", individuals=300, stdout=open("/dev/null", "w"))  # noqa: SIM115
    _stretch_demo_data()
    _work_waiting()
    visits, clients, seen, refused = [], {}, set(), []
    for user in User.objects.filter(is_active=True).exclude(role="api_client").order_by("id"):
        if user.needs_two_factor:
            TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "test"})
        client = Client()
        login_with_second_factor(client, user)
        clients[user.username] = client
        own_refusals: list = []
        for name, url in _crawl(client, own_refusals).items():
            if name == "core:home" or name not in seen:
                visits.append((user.username, name, url))
                seen.add(name)
        refused += [(user.username, url, status) for url, status in own_refusals]
    anonymous = Client()
    anonymous.get("/")
    clients[""] = anonymous
    direct = _direct_visits()
    # the demo holds a record of each kind, so none of these pages goes unvisited
    missing = [name for _, name, url in direct if url is None]
    assert missing == [], missing
    return visits + direct, clients, refused


def _direct_visits():
    """Pages no link leads to (a form's answer, a message's or a QR code's address, a job
    started elsewhere), opened as the person who gets there would, from the demo's records."""
    from django.urls import reverse

    from applications.models import Batch
    from complaints.models import Complaint
    from core.models import Job
    from dtks.models import Campaign, Flag, PmtWeightSet, ProgramPeriod
    from referrals.models import Letter

    def first(queryset, build):
        row = queryset.order_by("pk").first()
        return build(row) if row is not None else None

    return [
        ("", "core:login", reverse("core:login")),
        ("", "complaints:track", reverse("complaints:track")),
        (
            "",
            "referrals:letter_verify",
            first(Letter.objects, lambda x: reverse("referrals:letter_verify", args=[x.token])),
        ),
        (
            "",
            "applications:batch_verify",
            first(
                Batch.objects,
                lambda b: reverse("applications:batch_verify", args=[b.verification_token]),
            ),
        ),
        (
            "verifikator",
            "applications:batch_detail",
            first(Batch.objects, lambda b: reverse("applications:batch_detail", args=[b.pk])),
        ),
        (
            "operator.desa",
            "dtks:campaign_detail",
            first(Campaign.objects, lambda c: reverse("dtks:campaign_detail", args=[c.pk])),
        ),
        (
            "operator.desa",
            "dtks:flag_resolve",
            first(
                Flag.objects.filter(status="open"),
                lambda f: reverse("dtks:flag_resolve", args=[f.pk]),
            ),
        ),
        (
            "pengelola.data",
            "dtks:period_edit",
            first(ProgramPeriod.objects, lambda p: reverse("dtks:period_edit", args=[p.pk])),
        ),
        (
            "pengelola.data",
            "dtks:pmt_weight_detail",
            first(PmtWeightSet.objects, lambda w: reverse("dtks:pmt_weight_detail", args=[w.pk])),
        ),
        ("pengelola.data", "dtks:civil_registry_upload", reverse("dtks:civil_registry_upload")),
        (
            "pengelola.data",
            "core:job_detail",
            first(Job.objects, lambda j: reverse("core:job_detail", args=[j.pk])),
        ),
        (
            "warga",
            "complaints:status",
            first(Complaint.objects, lambda c: reverse("complaints:status", args=[c.code])),
        ),
    ]


def test_every_page_fits_a_phone_speaks_indonesian_and_passes_axe(browser, live_server, demo_walk):
    global RAW_CODES
    RAW_CODES = _raw_codes() - WORDS_IN_INDONESIAN
    visits, clients, refused = demo_walk
    # a link shown to an account opens: no menu entry or row link ends on a refusal
    assert refused == []
    script = AXE.read_text()
    failures = []
    contexts = {}
    try:
        for username, name, url in visits:
            if username not in contexts:
                context = browser.new_context(
                    viewport={"width": WIDTH, "height": 740},
                    is_mobile=True,
                    has_touch=True,
                    locale="id-ID",
                    base_url=live_server.url,
                    bypass_csp=True,  # axe-core is injected as an inline script
                )
                if username:  # "" opens the page signed out
                    session = clients[username].cookies["sessionid"].value
                    context.add_cookies(
                        [{"name": "sessionid", "value": session, "url": live_server.url}]
                    )
                contexts[username] = context.new_page()
            page = contexts[username]
            page.goto(url)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > WIDTH:
                widest = page.evaluate(WIDEST_JS, WIDTH)
                failures.append(f"{username} {name} {url}: {width} px wide ({widest})")
            if SHOTS:
                page.screenshot(
                    path=f"{SHOTS}/{username}-{name.replace(':', '-')}.png", full_page=True
                )
            small = page.evaluate(TARGETS_JS)
            failures += [f"{username} {name} {url}: small target {t}" for t in small]
            text = page.evaluate(TEXT_JS)
            failures += [f"{username} {name} {url}: shows {raw!r}" for raw in _raw_words(text)]
            page.add_script_tag(content=script)
            violations = page.evaluate(AXE_JS)
            failures += [f"{username} {name} {url}: {v}" for v in violations]
            # a page a cheap phone can open: the settings page once listed the country's
            # 83,762 villages in one select (168,000 elements, 4.4 MB)
            elements = page.evaluate("document.getElementsByTagName('*').length")
            if elements > MAX_ELEMENTS:
                failures.append(f"{username} {name} {url}: {elements} elements")
    finally:
        for page in contexts.values():
            page.context.close()
    assert len({name for _, name, _ in visits}) > 60
    assert not failures, "\n".join(failures)


WIDEST_JS = """width => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > width + 1)
  .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > width + 1))
  .filter(e => { for (let a = e.parentElement; a; a = a.parentElement) {
      if (a !== document.body && a !== document.documentElement
          && getComputedStyle(a).overflowX !== 'visible') return false; }
    return true; })
  .slice(0, 3)
  .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + ' "'
       + (e.textContent || '').trim().slice(0, 30) + '"')
  .join('; ')"""

# Targets a thumb must hit: buttons, fields, menu entries, a link standing alone (a back link,
# a row's link); at least 44 px high. Links inside running text are exempt (WCAG 2.5.5).
TARGETS_JS = """() => [...document.querySelectorAll(
    'button, .button, summary, select, input:not([type=hidden]):not([type=checkbox])'
    + ':not([type=radio]):not([type=file]), p > a:only-child, td > a:first-child, li > a:only-child')]
  .filter(e => e.offsetParent !== null && !e.closest('.visually-hidden, .skip-link'))
  .filter(e => e.tagName !== 'A' || e.parentElement.textContent.trim() === e.textContent.trim()
               || e.parentElement.tagName === 'TD')
  .filter(e => e.getBoundingClientRect().height < 44)
  .slice(0, 3)
  .map(e => e.tagName.toLowerCase() + ' "' + (e.textContent || e.value || '').trim().slice(0, 25)
       + '" ' + Math.round(e.getBoundingClientRect().height) + ' px')"""

# The page's words, without scripts and without what is shown as code on purpose (an event
# type a partner's developer subscribes to, an example column name) or edited as data (the
# PMT weights' JSON in its text box).
TEXT_JS = """() => { const copy = document.body.cloneNode(true);
  copy.querySelectorAll('script, style, template, code, kbd, samp, textarea').forEach(e => e.remove());
  return copy.textContent; }"""

AXE_JS = """async () => {
  const result = await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa']});
  const found = result.violations.map(v => v.id + ': ' + v.nodes.slice(0, 2)
    .map(n => n.target.join(' ')).join(' | '));
  for (const e of document.querySelectorAll('[aria-describedby]')) {
    for (const id of e.getAttribute('aria-describedby').split(/\\s+/)) {
      if (id && !document.getElementById(id)) found.push('aria-describedby → #' + id);
    }
  }
  return found;
}"""
