"""Recipient-list imports as jobs: the upload is read by the one table reader
(``silakso.sheets``), the rows enrolled, the rejected rows kept as a report."""

import csv
import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from silakso.exceptions import DomainError
from silakso.sheets import read_rows


def write_report(name: str, rows: list[dict]) -> str:
    """Store a CSV report of rejected rows and return its storage path."""
    buffer = io.StringIO()
    fields: list[str] = []
    for row in rows:
        for key in row:
            if key not in fields:
                fields.append(key)
    writer = csv.DictWriter(buffer, fieldnames=fields or ["line", "error"])
    writer.writeheader()
    writer.writerows(rows)
    return default_storage.save(name, ContentFile(buffer.getvalue().encode("utf-8-sig")))


def recipient_list_import(*, job_id, period_id: int, path: str, actor, reporter) -> dict:
    """Job body: read the stored upload, enroll its rows, keep the rejected rows as a report."""
    from .models import ProgramPeriod
    from .services import enrollments_import

    period = ProgramPeriod.objects.select_related("program").get(pk=period_id)
    with default_storage.open(path, "rb") as handle:
        rows = read_rows(handle)
    if rows and not ({"nik", "dtks_id"} & set(rows[0])):
        raise DomainError(_("The file needs a column named “nik” or “dtks_id”."))
    result = enrollments_import(period=period, rows=rows, actor=actor, reporter=reporter)
    report = {
        "rows": result["rows"],
        "accepted": result["accepted"],
        "rejected": len(result["rejected"]),
    }
    if result["rejected"]:
        report["report_file"] = write_report(
            "reports/{}-rejected.csv".format(job_id), result["rejected"]
        )
    return report


def registry_file_import(
    *,
    job_id,
    path: str,
    filename: str,
    actor,
    reporter,
    extract_date: str | None = None,
    extract_wins: bool = False,
) -> dict:
    """Job body: run the bulk import on a stored upload and keep the rejected rows (and the
    conflicts with newer local edits, both values side by side) as a report."""
    import datetime as dt

    from .bulk import registry_import

    with default_storage.open(path, "rb") as handle:
        result = registry_import(
            handle=handle,
            filename=filename,
            actor=actor,
            size=default_storage.size(path),
            reporter=reporter,
            extract_date=dt.date.fromisoformat(extract_date) if extract_date else None,
            extract_wins=extract_wins,
        )
    report = {key: value for key, value in result.as_dict().items() if key != "rejected_sample"}
    if result.rejected_rows:
        report["report_file"] = write_report(
            "reports/{}-rejected.csv".format(job_id), result.rejected_rows
        )
    default_storage.delete(path)
    return report
