"""The monthly report for the regent and the province: every app's tables for one month
(``<app>.navigation.monthly_report_tables(viewer, since, until)``), small cells suppressed
(``silakso.disclosure``, the installation's k), written once as a PDF (WeasyPrint) and once as
an XLSX with the same tables, and stored as a ``MonthlyReport``.

The tables are made from the regency's point of view (a head of division of the installation's
regency), whoever asked for them, so the report of a month is the same file for everyone who
may read it. Made by Celery beat on the first day of each month for the month before, and on
demand (a job with progress) for any past month.
"""

import datetime as dt
import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from silakso.disclosure import suppress, threshold
from silakso.exceptions import DomainError

from .choices import Role
from .extensions import collect
from .models import MonthlyReport, User

#: Who reads the monthly reports and asks for one: the regency-wide offices.
READERS = (Role.HEAD_OF_DIVISION, Role.REGENT_OFFICE, Role.DATA_MANAGER, Role.SYSTEM_ADMIN)


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """The first and the last day of ``month``'s month."""
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def previous_month(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def check_month(month: dt.date) -> dt.date:
    """A month that has ended (a report of the running month would change tomorrow)."""
    first = month.replace(day=1)
    if first > previous_month():
        message = _(
            "A month's report can be made once the month is over: choose {month} or earlier."
        ).format(month=previous_month().strftime("%m/%Y"))
        raise DomainError(message, fields={"month": message})
    return first


def _viewer() -> User:
    """The regency's point of view: what its head of division may see. Never saved; its key 0
    is nobody's, so "assigned to me" filters match no row."""
    return User(
        pk=0,
        username="monthly-report",
        role=Role.HEAD_OF_DIVISION,
        region_id=settings.SILAKSO_HOME_REGENCY,
        is_active=True,
    )


def _published(table: dict, k: int) -> dict:
    """A table as published: cells under ``k`` and what would reveal them shown as None."""
    # words fixed in the language the report is made in
    table = {
        **table,
        "title": str(table["title"]),
        "row_heading": str(table["row_heading"]),
        "columns": [str(column) for column in table["columns"]],
    }
    rows = [list(values) for _label, values in table["rows"]]
    if not rows or not table["columns"]:
        return {**table, "lines": [], "totals": None, "empty": True}
    shown = suppress(rows, k)
    return {
        **table,
        "empty": False,
        "lines": [
            {"label": str(label), "cells": cells, "total": total}
            for (label, _values), cells, total in zip(
                table["rows"], shown.cells, shown.row_totals, strict=True
            )
        ],
        "totals": {"cells": shown.column_totals, "total": shown.total},
    }


def report_tables(month: dt.date, *, k: int | None = None, reporter=None) -> list[dict]:
    """Every app's tables of ``month``, suppressed."""
    k = threshold() if k is None else k
    since, until = month_bounds(month)
    viewer = _viewer()
    if reporter:
        reporter.progress(0, 3, _("Counting"))
    tables = collect("monthly_report_tables", viewer, since, until)
    return [_published(table, k) for table in tables]


def _context(month: dt.date, tables: list[dict], k: int) -> dict:
    from .services import agency_profile

    return {
        "month": month,
        "tables": tables,
        "k": k,
        "agency": agency_profile(),
        "made_at": timezone.localtime(),
    }


def render_pdf(context: dict) -> bytes:
    from weasyprint import HTML

    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string("core/monthly_report_pdf.html", context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def render_xlsx(context: dict) -> bytes:
    """One sheet per table, the same figures as the PDF ("*" where a cell is hidden)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    with translation.override(settings.LANGUAGE_CODE):
        hidden_note = _("* hidden: fewer than %(k)s, or it would reveal such a count.") % {
            "k": context["k"]
        }
        total_label = _("Total")
        for number, table in enumerate(context["tables"], 1):
            title = "{} {}".format(number, table["title"]).translate(_NOT_IN_SHEET_TITLES)
            sheet = workbook.create_sheet(title=title[:31])
            sheet.append([str(table["title"])])
            sheet["A1"].font = Font(bold=True)
            sheet.append([context["month"].strftime("%m/%Y")])
            sheet.append([str(table["row_heading"]), *table["columns"], total_label])
            for line in table["lines"]:
                sheet.append([str(line["label"]), *map(_cell, line["cells"]), _cell(line["total"])])
            if table["totals"]:
                sheet.append(
                    [
                        total_label,
                        *map(_cell, table["totals"]["cells"]),
                        _cell(table["totals"]["total"]),
                    ]
                )
            sheet.append([])
            sheet.append([hidden_note])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


_NOT_IN_SHEET_TITLES = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def _cell(value):
    return "*" if value is None else value


def monthly_report_make(
    *, month: dt.date, actor: User | None = None, reporter=None
) -> MonthlyReport:
    """Make (or make again) the report of ``month``: tables, PDF, XLSX, stored."""
    month = check_month(month)
    k = threshold()
    with translation.override(settings.LANGUAGE_CODE):  # the report is in the office's language
        tables = report_tables(month, k=k, reporter=reporter)
    context = _context(month, tables, k)
    if reporter:
        reporter.progress(1, 3, _("Writing the PDF"))
    pdf = render_pdf(context)
    if reporter:
        reporter.progress(2, 3, _("Writing the spreadsheet"))
    xlsx = render_xlsx(context)
    name = "laporan-bulanan-{}".format(month.strftime("%Y-%m"))
    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update().filter(month=month).first()
        old = (report.pdf.name, report.xlsx.name) if report else ()
        report = report or MonthlyReport(month=month)
        report.k, report.generated_by = k, actor
        report.pdf.save(name + ".pdf", ContentFile(pdf), save=False)
        report.xlsx.save(name + ".xlsx", ContentFile(xlsx), save=False)
        report.save()
        for path in old:
            transaction.on_commit(lambda path=path: report.pdf.storage.delete(path))
    if reporter:
        reporter.progress(3, 3, _("Done"))
        reporter.result.update({"month": month.strftime("%m/%Y"), "tables": len(tables)})
    return report


def can_read(user) -> bool:
    from .permissions import configures_installation

    return configures_installation(user, *READERS)


#: The files of a report: (field, content type).
FILES = {
    "pdf": ("pdf", "application/pdf"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


def monthly_report_list(*, user):
    """The reports, newest month first (nothing for whoever may not read them)."""
    if not can_read(user):
        return MonthlyReport.objects.none()
    return MonthlyReport.objects.select_related("generated_by")


def monthly_report_open(*, user, pk: int, kind: str):
    """(file, content type) of one report's PDF or XLSX: an audited export. A miss, another
    kind of file, or a reader who may not read it is NotFound."""
    from silakso.exceptions import NotFound

    from .choices import AuditAction
    from .services import audit_log

    report = monthly_report_list(user=user).filter(pk=pk).first()
    if report is None or kind not in FILES:
        raise NotFound(_("Not found."))
    field, content_type = FILES[kind]
    audit_log(actor=user, action=AuditAction.EXPORT, obj=report, object_repr=str(report))
    return getattr(report, field), content_type


def monthly_report_request(*, actor: User, month: dt.date):
    """Someone of the regency's offices asks for a month's report now: a job they watch."""
    from silakso.exceptions import Forbidden

    from .jobs import job_create
    from .tasks import monthly_report_task

    if not can_read(actor):
        raise Forbidden(_("Only the regency's offices make the monthly report."))
    month = check_month(month)
    return job_create(
        kind="monthly_report",
        label=_("Monthly report {month}").format(month=month.strftime("%m/%Y")),
        task=monthly_report_task,
        actor=actor,
        task_kwargs={"month": month.isoformat()},
    )
