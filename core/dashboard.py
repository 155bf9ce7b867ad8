"""Dashboards per role, read from a summary table kept current by set-based SQL.

Each app declares its figures once, in ``<app>.navigation.dashboard_sources()``: a list of
:class:`Source`, each a grouped queryset whose rows carry ``s_region`` (a village code),
optionally ``s_key`` (the desil, the category, the step) and ``s_month`` (the month a flow
figure belongs to), and ``s_value``. :func:`refresh` runs each as one GROUP BY in SQL and
rewrites the summary table with the grouped rows (a few thousand; no registry row passes through
Python) in one short transaction, under a lock so two refreshes never interleave; a reader sees
the previous figures until it commits. Celery beat runs it every few minutes
(``SILAKSO_DASHBOARD_REFRESH_SECONDS``) and an office can ask for it at once.

A dashboard (:class:`Figures`) reads the summary rows inside the user's scope in one query,
added up per metric, key, month and area one level below the place looked at (districts of a
regency, villages of a district); ``<app>.navigation.dashboard_panels(figures)`` turns them
into panels whose figures link to the scoped list behind them.
"""

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from silakso.exceptions import OutOfScope

from .choices import Role
from .extensions import collect
from .models import SummaryCount, SummaryState
from .scope import code_within, region_in_scope, region_q, within

#: Who opens a dashboard: the regency's offices, a district's supervisor, a village's head.
READERS = frozenset(
    {
        Role.HEAD_OF_DIVISION,
        Role.REGENT_OFFICE,
        Role.DATA_MANAGER,
        Role.SUPERVISOR,
        Role.VILLAGE_HEAD,
        Role.SYSTEM_ADMIN,
    }
)
#: Who may ask for the figures to be counted again now (the beat does it anyway).
REFRESHERS = frozenset({Role.HEAD_OF_DIVISION, Role.DATA_MANAGER, Role.SYSTEM_ADMIN})

#: The width of a Kemendagri code per level (province, regency, district, village).
CODE_LENGTHS = (2, 5, 8, 13)
MONTHS = 12
_LOCK = 7_420_016


@dataclass(frozen=True)
class Source:
    """One metric of the summary table: a grouped queryset of ``s_region``, ``s_value`` and,
    when the metric has them, ``s_key`` and ``s_month``."""

    metric: str
    queryset: QuerySet = field(compare=False)


def can_read(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.role in READERS
        and (user.is_installation_wide or user.scope_code)
    )


def can_refresh(user) -> bool:
    return can_read(user) and user.role in REFRESHERS


def sources() -> list[Source]:
    return collect("dashboard_sources")


def refresh(*, reporter=None) -> SummaryState:
    """Count every figure again. Each source is one GROUP BY in SQL (a plain SELECT, so that
    PostgreSQL may run it in parallel, which it never does for ``INSERT … SELECT``); only the
    grouped rows — a few thousand — come back, and the summary table is rewritten with them in
    one short transaction (readers see the previous figures until it commits)."""
    declared = sources()
    started = time.perf_counter()
    counted: list[SummaryCount] = []
    with connection.cursor() as cursor:
        for number, source in enumerate(declared):
            if reporter:
                reporter.progress(number, len(declared) + 1, _("Counting"))
            sql, params = source.queryset.order_by().query.sql_with_params()
            cursor.execute(sql, params)
            names = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                values = dict(zip(names, row, strict=True))
                if not values["s_value"]:
                    continue
                month = values.get("s_month")
                counted.append(
                    SummaryCount(
                        metric=source.metric,
                        region_code=values["s_region"],
                        key=values.get("s_key") or "",
                        month=month.date() if isinstance(month, dt.datetime) else month,
                        value=values["s_value"],
                    )
                )
    if reporter:
        reporter.progress(len(declared), len(declared) + 1, _("Writing the figures"))
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK])
        SummaryCount.objects.all().delete()
        SummaryCount.objects.bulk_create(counted, batch_size=5000)
        state = SummaryState.objects.select_for_update().order_by("pk").first() or SummaryState()
        state.refreshed_at = timezone.now()
        state.seconds = round(time.perf_counter() - started, 3)
        state.rows = len(counted)
        state.save()
    if reporter:
        reporter.progress(len(declared) + 1, len(declared) + 1, _("Done"))
        reporter.result.update({"rows": len(counted)})
    return state


def refresh_request(*, actor):
    """An office asks for the figures now: a job they watch."""
    from silakso.exceptions import Forbidden

    from .jobs import job_create
    from .tasks import dashboard_refresh_task

    if not can_refresh(actor):
        raise Forbidden(_("Only the regency's offices ask for the figures to be counted again."))
    return job_create(
        kind="dashboard_refresh",
        label=_("Counting the dashboard figures"),
        task=dashboard_refresh_task,
        actor=actor,
    )


def child_length(code: str | None) -> int:
    """The width of the codes one level below ``code`` (a village stays a village)."""
    if not code:
        return CODE_LENGTHS[0]
    for length in CODE_LENGTHS:
        if length > len(code):
            return length
    return CODE_LENGTHS[-1]


def last_months(today: dt.date | None = None, count: int = MONTHS) -> list[dt.date]:
    """The first days of the last ``count`` months, the running one last."""
    first = (today or timezone.localdate()).replace(day=1)
    months = [first]
    while len(months) < count:
        months.append((months[-1] - dt.timedelta(days=1)).replace(day=1))
    return months[::-1]


class Figures:
    """The summary figures a user may see, for their area or one place inside it.

    ``place`` is a region code inside the user's scope (a district the head of division opens);
    outside it is refused like a miss."""

    def __init__(self, user, *, place: str | None = None, today: dt.date | None = None):
        from dtks.models import Region

        self.user = user
        scope = user.scope_code if not user.is_installation_wide else None
        if place:
            if not region_in_scope(user, place) or (scope and not code_within(place, scope)):
                raise OutOfScope(_("This area is outside the one you work in."))
            self.region = Region.objects.filter(code=place).first()
            if self.region is None:
                raise OutOfScope(_("This area is outside the one you work in."))
        else:
            self.region = Region.objects.filter(code=scope).first() if scope else None
        self.code = self.region.code if self.region else None
        self.length = child_length(self.code)
        self.months = last_months(today)
        rows = SummaryCount.objects.filter(region_q(user, "region_code"))
        if self.code:
            rows = rows.filter(within("region_code", self.code))
        self._rows = list(
            rows.annotate(area=Substr("region_code", 1, self.length))
            .values("metric", "key", "month", "area")
            .annotate(total=Sum("value"))
            .order_by()
        )
        state = SummaryState.objects.order_by("pk").first()
        self.refreshed_at = state.refreshed_at if state else None
        codes = {row["area"] for row in self._rows if row["area"]}
        self.area_names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))

    @property
    def is_village(self) -> bool:
        return bool(self.code) and len(self.code) == CODE_LENGTHS[-1]

    def _matching(self, metric, key=None, month=None, area=None, monthly=False):
        window = set(self.months)
        for row in self._rows:
            if row["metric"] != metric:
                continue
            if key is not None and row["key"] != key:
                continue
            if monthly:
                if row["month"] not in window:
                    continue
            elif (month is not None and row["month"] != month) or (
                month is None and row["month"] is not None
            ):
                continue
            if area is not None and row["area"] != area:
                continue
            yield row

    def total(self, metric: str, key: str | None = None, *, monthly: bool = False) -> int:
        """What stands now (or, ``monthly``, the sum of the last 12 months)."""
        return sum(row["total"] for row in self._matching(metric, key, monthly=monthly))

    def by_key(self, metric: str, *, monthly: bool = False) -> dict[str, int]:
        found: dict[str, int] = {}
        for row in self._matching(metric, monthly=monthly):
            found[row["key"]] = found.get(row["key"], 0) + row["total"]
        return found

    def by_area(
        self, metric: str, key: str | None = None, *, monthly: bool = False
    ) -> dict[str | None, int]:
        found: dict[str | None, int] = {}
        for row in self._matching(metric, key, monthly=monthly):
            found[row["area"]] = found.get(row["area"], 0) + row["total"]
        return found

    def trend(self, metric: str, key: str | None = None) -> list[int]:
        """The metric per month over the last 12 months, oldest first."""
        per_month = dict.fromkeys(self.months, 0)
        for row in self._matching(metric, key, monthly=True):
            per_month[row["month"]] += row["total"]
        return list(per_month.values())

    def areas_named(self, codes) -> list[tuple[str | None, str]]:
        """(code, name) of area ``codes``, by name; rows without a region last."""
        named = sorted(
            ((code, self.area_names.get(code, code)) for code in codes if code),
            key=lambda pair: pair[1],
        )
        if None in codes:
            named.append((None, _("No region recorded")))
        return named

    def area_link(self, code: str | None) -> str | None:
        """The dashboard of an area one level below, if there is a level below."""
        from django.urls import reverse

        if not code or self.is_village or code == self.code:
            return None
        return "{}?wilayah={}".format(reverse("core:dashboard"), code)

    def scope_code(self) -> str | None:
        """The code lists are filtered on for the place looked at (None: the user's whole area)."""
        return self.code if self.code and self.code != self.user.scope_code else None


def chart(months: list[dt.date], series: list[dict], *, height: int = 140) -> dict:
    """Bars of one to three series over 12 months, laid out for an inline SVG (360 px wide)."""
    from django.utils.formats import date_format

    width, bottom, left = 360, height - 20, 4
    slot = (width - left) / max(len(months), 1)
    count = max(len(series), 1)
    bar = max((slot - 6) / count, 2)
    top = max((max(s["values"]) for s in series if s["values"]), default=0) or 1
    bars = []
    for index, month in enumerate(months):
        for number, item in enumerate(series):
            value = item["values"][index]
            size = round((bottom - 14) * value / top, 1)
            bars.append(
                {  # SVG numbers as text: never a decimal comma of the page's language
                    "x": _svg(left + index * slot + 3 + number * bar),
                    "y": _svg(bottom - size),
                    "width": _svg(bar - 1),
                    "height": _svg(size),
                    "tone": number,
                    "title": "{} {}: {}".format(item["label"], date_format(month, "M Y"), value),
                }
            )
    labels = [
        {"x": _svg(left + index * slot + slot / 2), "text": date_format(month, "M")}
        for index, month in enumerate(months)
    ]
    rows = [
        {"month": month, "values": [item["values"][index] for item in series]}
        for index, month in enumerate(months)
    ]
    return {
        "width": width,
        "height": height,
        "label_y": height - 4,
        "bottom": bottom,
        "bars": bars,
        "labels": labels,
        "series": series,
        "rows": rows,
        "top": top,
    }


def list_link(url_name: str, figures: "Figures", **params) -> str:
    """The scoped list behind a figure: ``url_name`` filtered on ``params`` and, when a place
    inside the user's area is looked at, on that place."""
    from urllib.parse import urlencode

    from django.urls import reverse

    if figures.scope_code():
        params = {"region": figures.scope_code(), **params}
    query = urlencode(
        {key: value for key, value in params.items() if value is not None}, doseq=True
    )
    return reverse(url_name) + ("?" + query if query else "")


def area_table(
    figures: "Figures",
    *,
    caption: str,
    columns: list[tuple[str, dict[str | None, int], Callable[[str], str] | None]],
) -> dict:
    """One row per area one level below, one column per ``(label, {area: value}, link)``;
    ``link(area)`` gives the list behind a cell (None: no link), totals last."""
    codes = set()
    for _label, values, _link in columns:
        codes |= set(values)
    rows = []
    for code, name in figures.areas_named(codes):
        rows.append(
            {
                "label": name,
                "url": figures.area_link(code),
                "cells": [
                    {
                        "value": values.get(code, 0),
                        "url": link(code) if link and code and values.get(code) else None,
                    }
                    for _label, values, link in columns
                ],
            }
        )
    return {
        "caption": caption,
        "row_heading": {2: _("Province"), 5: _("Regency / city"), 8: _("District")}.get(
            figures.length, _("Village")
        ),
        "columns": [label for label, _values, _link in columns],
        "rows": rows,
        "totals": [sum(values.values()) for _label, values, _link in columns],
    }


def _svg(number: float) -> str:
    return "{:.1f}".format(number)


def backlog(
    figures: "Figures",
    *,
    list_name: str,
    statuses,
    open_: dict[str, int],
    late: dict[str, int],
    open_label: str,
    caption: str,
    extra: tuple[str, dict] | None = None,
) -> tuple[list[dict], dict]:
    """A flow with step deadlines (requests, complaints): the "open" and "late in their step"
    figures, and the table of both per step (``statuses``, a TextChoices' members in order),
    each linked to its list; ``extra`` adds a column (label, {status: value})."""
    total_open, total_late = sum(open_.values()), sum(late.values())
    numbers = [
        {
            "label": open_label,
            "value": total_open,
            "url": list_link(list_name, figures, status=[str(s) for s in statuses]),
        },
        {
            "label": _("Late in their step"),
            "value": total_late,
            "hint": _("{share}% of the open ones").format(
                share=round(100 * total_late / total_open) if total_open else 0
            ),
            "url": list_link(list_name, figures, overdue="true"),
            "tone": "warn" if total_late else "",
        },
    ]
    rows = []
    for status in statuses:
        if not open_.get(status):
            continue
        cells = [
            {"value": open_.get(status, 0), "url": list_link(list_name, figures, status=status)},
            {
                "value": late.get(status, 0),
                "url": list_link(list_name, figures, status=status, overdue="true")
                if late.get(status)
                else None,
            },
        ]
        if extra:
            cells.append({"value": extra[1].get(status, 0), "url": None})
        rows.append({"label": status.label, "url": None, "cells": cells})
    table = {
        "caption": caption,
        "row_heading": _("Step"),
        "columns": [_("Open"), _("Late"), *([extra[0]] if extra else [])],
        "rows": rows,
        "totals": [total_open, total_late, *([None] if extra else [])],
    }
    return numbers, table
