"""One reader for every uploaded table (a DTKS extract, a recipient list, the ministry's
results, a civil-registry extract): CSV the way offices produce it — Excel's ``;`` or ``,``,
a tab, UTF-8 with or without BOM, or Windows-1252 — or the first sheet of an XLSX file.

``open_table`` streams (the registry import reads a million rows in flat memory);
``read_rows`` returns dicts for the small files a page handles at once. Anything that is not a
table (a photo, a PDF, an empty file) is refused with one clear message naming the field.
"""

import codecs
import csv
import io
from collections.abc import Iterator
from typing import IO

from django.utils.translation import gettext as _

from .exceptions import DomainError

SAMPLE = 65536
DELIMITERS = (";", ",", "\t")
# Signatures of files people upload by mistake instead of a table.
NOT_TABLES = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"%PDF", b"RIFF", b"\xd0\xcf\x11\xe0")


def _refuse(message, field: str) -> DomainError:
    return DomainError(message, fields={field: ""})


def sniff(head: bytes, *, field: str = "file") -> tuple[str, str, str]:
    """(kind "csv" or "xlsx", encoding, delimiter) of a file from its first bytes."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx", "utf-8", ","
    if not head.strip():
        raise _refuse(_("The file is empty."), field)
    if head.startswith(NOT_TABLES) or b"\x00" in head:
        raise _refuse(
            _(
                "This is not a table. Save the sheet as “CSV (comma delimited)” or as an Excel "
                ".xlsx file and upload that."
            ),
            field,
        )
    try:
        head.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of the sample is still UTF-8
        encoding = "utf-8" if exc.start >= len(head) - 3 else "cp1252"
    text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    first_line = text.splitlines()[0] if text.splitlines() else ""
    delimiter = max(DELIMITERS, key=first_line.count)
    if not first_line.count(delimiter):
        delimiter = ","
    return "csv", encoding, delimiter


def _csv_chunks(handle: IO[bytes], encoding: str, chunk_size: int = 1 << 20) -> Iterator[bytes]:
    """The file as UTF-8 byte chunks (a BOM is left for the CSV reader to see as text)."""
    if encoding == "utf-8":
        while chunk := handle.read(chunk_size):
            yield chunk
        return
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    while chunk := handle.read(chunk_size):
        yield decoder.decode(chunk).encode("utf-8")
    yield decoder.decode(b"", final=True).encode("utf-8")


def _cell(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "date") and callable(value.date):
        return value.date().isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_chunks(handle: IO[bytes], field: str) -> tuple[list[str], Iterator[bytes]]:
    """Stream the first sheet of an XLSX file as UTF-8 CSV bytes (openpyxl read-only)."""
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:
        raise _refuse(
            _("The Excel file cannot be read. Save it again as .xlsx or as CSV."), field
        ) from exc
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    try:
        header = [_cell(cell) for cell in next(rows)]
    except StopIteration as exc:
        raise _refuse(_("The file is empty."), field) from exc

    def generate() -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        for count, row in enumerate(rows, 1):
            writer.writerow([_cell(value) for value in row])
            if count % 2000 == 0:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode("utf-8")
        workbook.close()

    return header, generate()


def open_table(handle: IO[bytes], *, field: str = "file") -> tuple[list[str], str, Iterator[bytes]]:
    """(header, delimiter, UTF-8 CSV byte chunks) of an uploaded CSV or XLSX, streamed."""
    head = handle.read(SAMPLE)
    handle.seek(0)
    kind, encoding, delimiter = sniff(head, field=field)
    if kind == "xlsx":
        header, chunks = _xlsx_chunks(handle, field)
        return header, ",", chunks
    text = head.decode(encoding, errors="replace").lstrip("\ufeff")
    header = next(csv.reader([text.splitlines()[0]], delimiter=delimiter))
    return header, delimiter, _csv_chunks(handle, encoding)


def read_rows(
    handle, *, field: str = "file", max_bytes: int = 20 * 1024 * 1024
) -> list[dict[str, str]]:
    """Every row of a small table as a dict keyed by the lower-case, trimmed header."""
    if isinstance(handle, bytes | str):
        handle = io.BytesIO(handle.encode("utf-8") if isinstance(handle, str) else handle)
    size = getattr(handle, "size", None)
    if size is not None and size > max_bytes:
        raise _refuse(
            _("The file is too big; the limit is {size} MB.").format(size=max_bytes // 2**20),
            field,
        )
    _header, delimiter, chunks = open_table(handle, field=field)
    text = b"".join(chunks).decode("utf-8", errors="replace").lstrip("\ufeff")
    if len(text) > max_bytes:
        raise _refuse(
            _("The file is too big; the limit is {size} MB.").format(size=max_bytes // 2**20),
            field,
        )
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    if not reader.fieldnames:
        raise _refuse(_("The file is empty."), field)
    reader.fieldnames = [(name or "").strip().lower() for name in reader.fieldnames]
    return [{key: (value or "").strip() for key, value in row.items() if key} for row in reader]
