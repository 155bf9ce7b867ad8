"""The ministry upload file of a ratified list, and the ministry's results read back.

Upload format (one row per application, CSV, UTF-8, comma): the columns of COLUMNS below,
documented in docs/applications.md. Results: a CSV with ``kode_usulan`` or ``nik``, ``hasil``
(diterima / tidak diterima) and an optional ``keterangan``.
"""

import csv
import io

from django.utils.translation import gettext as _

from dtks.nik import normalize_number
from dtks.selectors import desil_on
from silakso.exceptions import DomainError
from silakso.sheets import read_rows

from .choices import ApplicationStatus
from .models import Application, Batch

COLUMNS = (
    "KODE_USULAN",
    "NIK",
    "NO_KK",
    "NAMA",
    "TGL_LAHIR",
    "JENIS_KELAMIN",
    "KODE_WILAYAH",
    "DESA",
    "KECAMATAN",
    "ALAMAT",
    "PROGRAM",
    "DESIL",
    "JENIS_MUSYAWARAH",
    "TGL_MUSYAWARAH",
    "NO_SK",
    "TGL_SK",
)


def desil_date(batch: Batch):
    """The day whose official desil a list reports: its decree's date, before that its cut-off."""
    return batch.ratification_date or batch.cutoff


def _row(application: Application, batch: Batch) -> list[str]:
    person = application.individual
    household = application.household
    deliberation = application.deliberation
    village = application.village
    return [
        application.code,
        application.applicant_nik,
        (person.family.kk_number if person and person.family_id else application.kk_number) or "",
        application.applicant_name,
        person.birth_date.isoformat() if person else "",
        ("L" if person.sex == "male" else "P") if person else "",
        village.code.replace(".", ""),
        village.name,
        village.parent.name if village.parent else "",
        application.address,
        application.program.code.upper(),
        str(application.desil_then) if household and application.desil_then else "",
        ("SPTJM" if deliberation.kind == "sptjm" else "MUSDES") if deliberation else "",
        deliberation.held_on.isoformat() if deliberation else "",
        batch.ratification_number,
        batch.ratification_date.isoformat() if batch.ratification_date else "",
    ]


def write_ministry_file(*, batch: Batch, reporter=None) -> tuple[bytes, int]:
    """The upload file of a list (its ratified applications), as UTF-8 CSV bytes."""
    applications = (
        batch.applications.filter(status=ApplicationStatus.RATIFIED)
        .select_related(
            "program",
            "village",
            "village__parent",
            "individual__family",
            "household",
            "deliberation",
        )
        .annotate(**desil_on(desil_date(batch), household="household"))
        .order_by("village_id", "pk")
    )
    total = applications.count()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for number, application in enumerate(applications.iterator(chunk_size=1000), 1):
        writer.writerow(_row(application, batch))
        if reporter and number % 500 == 0:
            reporter.progress(number, total, _("Writing the ministry file"))
    if reporter:
        reporter.progress(total, total, _("Writing the ministry file"))
    return buffer.getvalue().encode("utf-8"), total


ACCEPTED_WORDS = {"diterima", "terima", "accepted", "ya", "1", "layak", "lolos"}
NOT_ACCEPTED_WORDS = {
    "tidak diterima",
    "ditolak",
    "not accepted",
    "not_accepted",
    "tidak",
    "0",
    "tidak layak",
    "tidak lolos",
}


def read_results(*, handle, batch: Batch) -> tuple[dict[int, tuple[str, str]], list[dict]]:
    """{application id: (accepted / not_accepted, note)} and the lines that could not be used."""
    rows = read_rows(handle)
    header = set(rows[0]) if rows else set()
    code_column = next((name for name in ("kode_usulan", "code") if name in header), None)
    nik_column = "nik" if "nik" in header else None
    result_column = next((name for name in ("hasil", "result") if name in header), None)
    note_column = next((name for name in ("keterangan", "catatan", "note") if name in header), None)
    if result_column is None or (code_column is None and nik_column is None):
        raise DomainError(
            _("The file needs the columns kode_usulan (or nik) and hasil."), fields={"file": ""}
        )
    by_code = {}
    by_nik = {}
    for pk, code, nik in batch.applications.values_list("pk", "code", "applicant_nik"):
        by_code[code.upper()] = pk
        by_nik[nik] = pk
    results: dict[int, tuple[str, str]] = {}
    rejected = []
    for line, row in enumerate(rows, 2):
        key = ""
        pk = None
        if code_column and (row.get(code_column) or "").strip():
            key = row[code_column].strip().upper()
            pk = by_code.get(key)
        elif nik_column:
            key = normalize_number(row.get(nik_column) or "")
            pk = by_nik.get(key)
        word = " ".join((row.get(result_column) or "").strip().lower().split())
        if pk is None:
            rejected.append({"line": line, "value": key, "error": _("not in this list")})
            continue
        if word in ACCEPTED_WORDS:
            status = ApplicationStatus.ACCEPTED
        elif word in NOT_ACCEPTED_WORDS:
            status = ApplicationStatus.NOT_ACCEPTED
        else:
            rejected.append(
                {"line": line, "value": key, "error": _("hasil must be diterima or tidak diterima")}
            )
            continue
        results[pk] = (status, (row.get(note_column) or "").strip() if note_column else "")
    return results, rejected
