"""Report tables as downloads: CSV streamed row by row (UTF-8 with a BOM, so Excel shows names
right) or XLSX written with little memory, and the report pages' period parameters."""

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable

from django.http import FileResponse, HttpResponse, StreamingHttpResponse


class Echo:
    """A file-like object whose write() returns the line, for csv.writer in a generator."""

    def write(self, value):
        return value


def date_param(value: str | None) -> dt.date | None:
    """A yyyy-mm-dd query parameter, or None when missing or malformed."""
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def local_minute(value) -> str:
    """A timestamp as local "YYYY-MM-DD HH:MM" for a report cell ("" when empty)."""
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A cell that a spreadsheet shows as text, never runs: text starting with = + - @ or a
    tab/return (a formula, ``=HYPERLINK(…)``) gets a leading apostrophe. Numbers, dates and
    booleans are left as they are, and so is text that is a plain number (a latitude of -2.3
    stays a number, so an export imports back)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _plain_number(value):
        return "'" + value
    return value


def _plain_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip() == text and text[:1] in "+-" and text[1:2].isdigit()


def safe_row(row) -> list:
    return [safe_cell(value) for value in row]


def table_response(
    rows: Iterable[list], *, file_format: str, filename: str, sheet: str
) -> HttpResponse:
    """Rows (the first the header) as `filename`.csv streamed, or `filename`.xlsx."""
    if file_format == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        worksheet = workbook.create_sheet(str(sheet)[:31])
        for row in rows:
            worksheet.append(safe_row(row))
        handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
        workbook.save(handle.name)
        handle.seek(0)
        return FileResponse(handle, as_attachment=True, filename=filename + ".xlsx")
    writer = csv.writer(Echo())
    response = StreamingHttpResponse(
        ("\ufeff" if number == 0 else "") + writer.writerow(safe_row(row))
        for number, row in enumerate(rows)
    )
    response["Content-Type"] = "text/csv; charset=utf-8"
    response["Content-Disposition"] = 'attachment; filename="{}.csv"'.format(filename)
    return response


def attachment_response(field_file, *, content_type: str, filename: str | None = None):
    """An uploaded file (a document, a house photo, evidence) as a download, never rendered by
    the browser as a page of ours: ``Content-Disposition: attachment``, a sandboxing CSP,
    ``nosniff``, and ``no-store`` so personal data does not stay in shared caches."""
    import os

    response = FileResponse(
        field_file.open("rb"),
        content_type=content_type,
        as_attachment=True,
        filename=filename or os.path.basename(field_file.name),
    )
    response["Content-Security-Policy"] = "sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response
