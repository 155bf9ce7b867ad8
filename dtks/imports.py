"""Reading uploaded CSV files the way offices produce them (Excel exports, `;` or `,`, any BOM)."""

import csv
import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from silakso.exceptions import DomainError

MAX_CSV_BYTES = 20 * 1024 * 1024


def decode_csv(raw: bytes) -> list[dict[str, str]]:
    """Rows of a CSV as dicts with lower-case headers; a clear error for anything else."""
    if len(raw) > MAX_CSV_BYTES:
        raise DomainError(_("The file is too big; the limit is 20 MB."), fields={"file": ""})
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if "\x00" in text[:4096]:
        raise DomainError(
            _("This is not a CSV text file. Save the sheet as “CSV (comma delimited)”."),
            fields={"file": ""},
        )
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    if not reader.fieldnames:
        raise DomainError(_("The file is empty."), fields={"file": ""})
    reader.fieldnames = [name.strip().lower() for name in reader.fieldnames]
    return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


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
        rows = decode_csv(handle.read())
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


def registry_file_import(*, job_id, path: str, filename: str, actor, reporter) -> dict:
    """Job body: run the bulk import on a stored upload and keep the rejected rows as a report."""
    from .bulk import registry_import

    with default_storage.open(path, "rb") as handle:
        result = registry_import(
            handle=handle,
            filename=filename,
            actor=actor,
            size=default_storage.size(path),
            reporter=reporter,
        )
    report = {key: value for key, value in result.as_dict().items() if key != "rejected_sample"}
    if result.rejected_rows:
        report["report_file"] = write_report(
            "reports/{}-rejected.csv".format(job_id), result.rejected_rows
        )
    default_storage.delete(path)
    return report
