"""Bulk import of DTKS/DTSEN extracts at COPY speed, and streamed exports in the same format.

An import never loops over rows in Python. The file is streamed into a temporary table with
PostgreSQL COPY, every row is validated in one set-based query (the SQL twins of dtks/nik.py,
kept in agreement by property tests), and the valid rows are upserted by household id, KK
number and NIK in a handful of statements inside one transaction: the file is applied entirely
or not at all, memory stays flat whatever the file size, and running the same file twice
changes nothing. Rejected rows are reported with their line number and reason. The column
format is documented in docs/import-format.md.
"""

import csv
import io
import json
import logging
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO

import psycopg2
from django.conf import settings
from django.db import DataError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import AuditAction
from core.services import audit_log
from silakso.exceptions import DomainError, Forbidden
from silakso.sheets import open_table
from silakso.tables import Echo, safe_row

from . import choices, vocabulary
from .permissions import can_edit_registry

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------- the column format


@dataclass(frozen=True)
class Column:
    """One column of the import/export format."""

    name: str
    kind: str  # text, choice, bool, int, decimal, date
    required: bool = False
    values: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    max_length: int | None = None


def _values(choice_class) -> tuple[str, ...]:
    return tuple(choice_class.values)


COLUMNS: tuple[Column, ...] = (
    Column(
        "dtks_id", "text", True, aliases=("id_rumah_tangga", "id_dtks", "idsemesta"), max_length=32
    ),
    Column("village_code", "text", True, aliases=("kode_desa", "kode_wilayah")),
    Column("address", "text", True, aliases=("alamat",), max_length=255),
    Column("rt", "text", aliases=(), max_length=3),
    Column("rw", "text", aliases=(), max_length=3),
    Column("latitude", "decimal", aliases=("lintang",)),
    Column("longitude", "decimal", aliases=("bujur",)),
    Column("floor_material", "choice", values=_values(choices.FloorMaterial), aliases=("lantai",)),
    Column("wall_material", "choice", values=_values(choices.WallMaterial), aliases=("dinding",)),
    Column("roof_material", "choice", values=_values(choices.RoofMaterial), aliases=("atap",)),
    Column("floor_area", "decimal", aliases=("luas_lantai",)),
    Column("water_source", "choice", values=_values(choices.WaterSource), aliases=("sumber_air",)),
    Column("toilet", "choice", values=_values(choices.ToiletFacility), aliases=("jamban",)),
    Column("lighting", "choice", values=_values(choices.Lighting), aliases=("penerangan",)),
    Column("cooking_fuel", "choice", values=_values(choices.CookingFuel), aliases=("bahan_bakar",)),
    Column(
        "house_ownership",
        "choice",
        values=_values(choices.HouseOwnership),
        aliases=("status_rumah",),
    ),
    Column(
        "land_ownership", "choice", values=_values(choices.LandOwnership), aliases=("status_lahan",)
    ),
    Column("has_gas_cylinder", "bool", aliases=("tabung_gas",)),
    Column("has_refrigerator", "bool", aliases=("kulkas",)),
    Column("has_air_conditioner", "bool", aliases=("ac",)),
    Column("has_television", "bool", aliases=("televisi",)),
    Column("has_computer", "bool", aliases=("komputer",)),
    Column("has_smartphone", "bool", aliases=("ponsel",)),
    Column("has_gold", "bool", aliases=("emas",)),
    Column("has_motorcycle", "bool", aliases=("sepeda_motor", "motor")),
    Column("has_car", "bool", aliases=("mobil",)),
    Column("has_boat", "bool", aliases=("perahu",)),
    Column("livestock_count", "int", aliases=("ternak",)),
    Column(
        "head_education", "choice", values=_values(choices.Education), aliases=("pendidikan_krt",)
    ),
    Column(
        "head_occupation", "choice", values=_values(choices.Occupation), aliases=("pekerjaan_krt",)
    ),
    Column("income_band", "choice", values=_values(choices.IncomeBand), aliases=("penghasilan",)),
    Column("desil", "int", aliases=("desil_nasional",)),
    Column("desil_as_of", "date", aliases=("desil_per", "tanggal_desil")),
    Column("kk_number", "text", True, aliases=("no_kk", "nomor_kk")),
    Column("nik", "text", True, aliases=()),
    Column("name", "text", True, aliases=("nama",), max_length=150),
    Column("birth_place", "text", aliases=("tempat_lahir",), max_length=100),
    Column("birth_date", "date", True, aliases=("tanggal_lahir", "tgl_lahir")),
    Column("sex", "choice", True, values=_values(choices.Sex), aliases=("jenis_kelamin", "jk")),
    Column(
        "relation_to_head",
        "choice",
        True,
        values=_values(choices.RelationToHead),
        aliases=("hubungan", "hub_krt"),
    ),
    Column(
        "marital_status", "choice", values=_values(choices.MaritalStatus), aliases=("status_kawin",)
    ),
    Column("education", "choice", values=_values(choices.Education), aliases=("pendidikan",)),
    Column("occupation", "choice", values=_values(choices.Occupation), aliases=("pekerjaan",)),
    Column("disability", "choice", values=_values(choices.Disability), aliases=("disabilitas",)),
    Column(
        "status", "choice", values=_values(choices.IndividualStatus), aliases=("status_individu",)
    ),
    Column("status_date", "date", aliases=("tanggal_status",)),
    Column("id_card_status", "choice", values=_values(choices.IdCardStatus), aliases=("ktp",)),
)
COLUMN_BY_NAME = {column.name: column for column in COLUMNS}
HOUSEHOLD_COLUMNS = [c.name for c in COLUMNS[: COLUMNS.index(COLUMN_BY_NAME["kk_number"])]]
PERSON_COLUMNS = [c.name for c in COLUMNS[COLUMNS.index(COLUMN_BY_NAME["nik"]) :]]
# The ministry's codes and the Indonesian words offices use, mapped onto SILAKSO's codes.
VALUE_ALIASES = vocabulary.CODES

MAX_IMPORT_BYTES_DEFAULT = 2 * 1024 * 1024 * 1024
# COPY errors arrive from the raw psycopg2 cursor, not wrapped by Django.
COPY_ERRORS = (DataError, psycopg2.DataError)


# ---------------------------------------------------------------------------- messages
def error_message(code: str) -> str:
    """The translated reason shown in the rejected-rows report for an error code."""
    field, _sep, problem = code.partition(".")
    messages = {
        "required": _("{field} is empty"),
        "choice": _("{field} has a value that is not in the list (see docs/import-format.md)"),
        "bool": _("{field} must be 1/0, ya/tidak or true/false"),
        "number": _("{field} is not a number"),
        "date": _("{field} is not a date (use YYYY-MM-DD or DD-MM-YYYY)"),
        "too_long": _("{field} is too long"),
        "range": _("{field} is out of range"),
        "unknown": _("{field} is not a village code of the Kemendagri list"),
        "outside_scope": _("{field} is outside the area you work in"),
        "format": _("{field}: must be exactly 16 digits"),
        "province": _("{field}: digits 1–2 are not a province code"),
        "district": _("{field}: digits 3–6 contain a 00 code"),
        "birth_date": _("{field}: digits 7–12 are not a real date of birth or disagree with it"),
        "serial": _("{field}: the last four digits are 0000"),
        "sex": _("{field}: the NIK belongs to the other sex"),
        "duplicate_in_file": _("{field} appears more than once in the file"),
        "review": _(
            "{field} is also given for another household: imported for review beside the "
            "other record, with a duplicate-NIK flag"
        ),
        "registered_elsewhere": _(
            "{field} belongs to a person registered outside the area you work in"
        ),
        "household_elsewhere": _("{field} is a household registered outside the area you work in"),
        "heads": _("the household does not have exactly one living head in the file"),
        "villages": _("rows of this household give different villages"),
        "kk_households": _("this KK number is given for more than one household"),
        "other_household": _(
            "{field} belongs to another household in the registry; moving a family card is a "
            "member event (split KK or move), not part of an import"
        ),
        "local_edit": _(
            "changed in SILAKSO after the extract's date: kept as it is here (import again "
            "with “the extract wins” to overwrite)"
        ),
        "household": _(
            "kept as it is here: the household was changed in SILAKSO after the extract's date"
        ),
        "missing_date": _("a deceased or moved person needs the date of death or move"),
        "before_birth": _("the date of death or move is before the date of birth"),
    }
    template = messages.get(problem, problem)
    return template.format(field=field)


# ---------------------------------------------------------------------------- reading the file
def _normalize_header(name: str) -> str:
    """``No. KK``, ``Tgl Lahir``, ``JnsKel`` → ``no_kk``, ``tgl_lahir``, ``jnskel``."""
    return _NOT_A_WORD.sub("_", name.lstrip("\ufeff").strip().lower()).strip("_")


_NOT_A_WORD = re.compile(r"[^0-9a-z]+")


def _header_lookup() -> dict[str, str]:
    lookup = {}
    for column in COLUMNS:
        for name in (column.name, *column.aliases, *vocabulary.HEADER_ALIASES.get(column.name, ())):
            lookup[name] = column.name
    for helper, aliases in vocabulary.HELPER_COLUMNS.items():
        for name in (helper, *aliases):
            lookup[name] = helper
    return lookup


def map_header(header: list[str]) -> tuple[list[str], list[str]]:
    """Canonical column names for a file header; unknown columns become ignored placeholders."""
    lookup = _header_lookup()
    mapped, seen, unknown = [], set(), []
    for position, raw in enumerate(header):
        name = lookup.get(_normalize_header(raw))
        if name is None or name in seen:
            unknown.append(raw)
            mapped.append("ignored_{}".format(position))
        else:
            seen.add(name)
            mapped.append(name)
    missing = [c.name for c in COLUMNS if c.required and c.name not in seen]
    if missing:
        raise DomainError(
            _("The file lacks required columns: {columns}. See docs/import-format.md.").format(
                columns=", ".join(missing)
            ),
            code="missing_columns",
            fields={"file": ""},
        )
    return mapped, unknown


class _Utf8Stream(io.RawIOBase):
    """A readable stream that re-encodes a byte source to UTF-8 and counts what was read."""

    def __init__(self, chunks: Iterator[bytes], on_progress: Callable[[int], None] | None = None):
        self._chunks = chunks
        self._buffer = b""
        self._read = 0
        self._on_progress = on_progress

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self._buffer:
            try:
                self._buffer = next(self._chunks)
            except StopIteration:
                return 0
            self._read += len(self._buffer)
            if self._on_progress:
                self._on_progress(self._read)
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


# ---------------------------------------------------------------------------- the SQL
SQL_TYPES = {
    "text": "text",
    "choice": "text",
    "bool": "boolean",
    "int": "int",
    "decimal": "numeric",
    "date": "date",
}


def _sql_text(value: str) -> str:
    return "'{}'".format(value.replace("'", "''"))


def _words(values) -> str:
    return ", ".join(_sql_text(value) for value in values)


def _typed(column: Column, *, fast: bool = False, present: frozenset[str] = frozenset()) -> str:
    """SQL giving a column's typed value (NULL when empty or invalid).

    ``fast``: the staging table already holds typed values (COPY parsed them); only text and
    choice columns need work, and a choice that is already a valid code costs one comparison.
    ``present``: the file's columns (``lighting`` code 1, PLN, is completed by ``Daya``).
    """
    raw = "NULLIF(trim(r.{}), '')".format(column.name)
    if fast and column.kind in ("bool", "int", "decimal", "date"):
        return "r.{}".format(column.name)
    if column.name in ("nik", "kk_number"):
        # Officers type 3201 0115 0895 0001 or 3201.0115.0895.0001; the digits are what counts.
        # translate() rather than a regular expression: it is evaluated many times per row.
        return "NULLIF(translate(r.{}, ' .-', ''), '')".format(column.name)
    if column.kind == "text":
        return raw
    if column.kind == "choice":
        value = "lower({})".format(raw)
        aliases = VALUE_ALIASES.get(column.name)
        if aliases:
            cases = " ".join(
                "WHEN {} THEN {}".format(_sql_text(k), _sql_text(v)) for k, v in aliases.items()
            )
            value = "CASE {v} {cases} ELSE {v} END".format(v=value, cases=cases)
        if column.name == "lighting":
            # PLN without its installed power stays an unknown answer, never a guessed one.
            power = "'pln'"
            if "lighting_power" in present:
                power = "CASE lower(trim(r.lighting_power)) {} ELSE 'pln' END".format(
                    " ".join(
                        "WHEN {} THEN {}".format(_sql_text(k), _sql_text(v))
                        for k, v in vocabulary.LIGHTING_POWER.items()
                    )
                )
            value = "CASE WHEN lower({raw}) IN ({pln}) THEN {power} ELSE {v} END".format(
                raw=raw, pln=_words(vocabulary.LIGHTING_PLN), power=power, v=value
            )
        if fast:
            value = "CASE WHEN r.{c} = ANY (%(values_{c})s) THEN r.{c} ELSE {v} END".format(
                c=column.name, v=value
            )
        return value
    if column.kind == "bool":
        return (
            "CASE WHEN lower({raw}) IN ({yes}) THEN true "
            "WHEN {raw} IS NULL OR lower({raw}) IN ({no}) THEN false END"
        ).format(raw=raw, yes=_words(vocabulary.TRUE_WORDS), no=_words(vocabulary.FALSE_WORDS))
    if column.kind == "int":
        return "CASE WHEN {raw} ~ '^-?[0-9]{{1,9}}$' THEN {raw}::int END".format(raw=raw)
    if column.kind == "decimal":
        return (
            "CASE WHEN replace({raw}, ',', '.') ~ '^-?[0-9]{{1,9}}(\\.[0-9]+)?$' "
            "THEN replace({raw}, ',', '.')::numeric END"
        ).format(raw=raw)
    if column.kind == "date":
        return "silakso_parse_date({})".format(raw)
    raise ValueError(column.kind)


def _row_errors(column: Column, *, fast: bool = False) -> list[tuple[str, str]]:
    """(SQL condition, error code) pairs for one column of one row: the condition holds when
    the row has that error."""
    typed = "t.{}".format(column.name)
    # Text and choice values are NULL exactly when the trimmed cell is empty: the typed value
    # serves as the raw one. Numbers, dates and booleans keep the raw text to tell an empty
    # cell from an unreadable one.
    raw = typed if column.kind in ("text", "choice") else "t.r_{}".format(column.name)
    if fast and column.kind in ("bool", "int", "decimal", "date"):
        raw = typed
    errors = []
    if column.required:
        errors.append(("{} IS NULL".format(raw), "{}.required".format(column.name)))
    if column.kind == "choice":
        errors.append(
            (
                "{typed} <> ALL (%(values_{c})s)".format(typed=typed, c=column.name),
                "{}.choice".format(column.name),
            )
        )
    elif column.kind != "text" and not fast:
        code = {"bool": "bool", "int": "number", "decimal": "number", "date": "date"}[column.kind]
        errors.append(
            (
                "{raw} IS NOT NULL AND {typed} IS NULL".format(raw=raw, typed=typed),
                "{}.{}".format(column.name, code),
            )
        )
    if column.max_length:
        errors.append(
            (
                "length({raw}) > {n}".format(raw=raw, n=column.max_length),
                "{}.too_long".format(column.name),
            )
        )
    return errors


def _check_sql(columns_present: list[str], *, fast: bool) -> str:
    """One query that types every column and lists every row's errors (parallel-friendly)."""
    present = [COLUMN_BY_NAME[name] for name in columns_present if name in COLUMN_BY_NAME]
    missing = [c for c in COLUMNS if c.name not in columns_present]
    typed = []
    for c in present:
        typed.append(
            "{} AS {}".format(_typed(c, fast=fast, present=frozenset(columns_present)), c.name)
        )
        if c.kind in ("bool", "int", "decimal", "date") and not fast:
            typed.append("NULLIF(trim(r.{0}::text), '') AS r_{0}".format(c.name))
    typed += ["NULL::{} AS {}".format(SQL_TYPES[c.kind], c.name) for c in missing]
    row_errors = [pair for c in present for pair in _row_errors(c, fast=fast)]
    row_errors += [
        ("v.code IS NULL AND t.village_raw IS NOT NULL", "village_code.unknown"),
        (
            "v.code IS NOT NULL AND NOT (v.code = %(scope)s OR v.code LIKE %(scope_like)s "
            "OR %(scope)s = '')",
            "village_code.outside_scope",
        ),
        ("t.desil NOT BETWEEN 1 AND 10", "desil.range"),
        ("t.status IN ('deceased', 'moved') AND t.status_date IS NULL", "status_date.missing_date"),
        ("t.status_date < t.birth_date", "status_date.before_birth"),
    ]
    return """
    CREATE UNLOGGED TABLE import_checked AS
    SELECT {output},
           cardinality(e.errors) = 0 AND cardinality(e.nik_errors) = 0
               AND cardinality(e.kk_errors) = 0 AS ok
    FROM (
    SELECT t.*,
           -- A clean row (nearly all of them) answers from one chain of ORs; only a row with a
           -- problem builds the list of its errors.
           CASE WHEN coalesce({any_error}, false) THEN array_remove(ARRAY[
               {row_errors}
           ], NULL) ELSE ARRAY[]::text[] END AS errors,
           CASE WHEN t.nik IS NULL THEN ARRAY[]::text[]
                -- the common case, answered without the full validator: a NIK of a known
                -- district whose digits 7-12 are the recorded birth date (+40 for women)
                WHEN d.code IS NOT NULL AND t.sex IN ('male', 'female')
                     AND length(t.nik) = 16 AND ltrim(t.nik, '0123456789') = ''
                     AND substr(t.nik, 13, 4) <> '0000'
                     AND substr(t.nik, 7, 6) = lpad((
                         (date_part('day', t.birth_date)::int
                          + CASE WHEN t.sex = 'female' THEN 40 ELSE 0 END) * 10000
                         + date_part('month', t.birth_date)::int * 100
                         + mod(date_part('year', t.birth_date)::int, 100))::text, 6, '0')
                     THEN ARRAY[]::text[]
                ELSE silakso_nik_errors(t.nik, t.birth_date, t.sex) END AS nik_errors,
           CASE WHEN t.kk_number IS NULL THEN ARRAY[]::text[]
                ELSE silakso_kk_errors(t.kk_number) END AS kk_errors,
           v.code AS village,
           (d.code IS NULL) AS nik_region_unknown
    FROM (
        SELECT k.*,
               CASE WHEN length(k.village_digits) = 10
                         AND ltrim(k.village_digits, '0123456789') = '' THEN
                   substr(k.village_digits, 1, 2) || '.' || substr(k.village_digits, 3, 2) || '.'
                   || substr(k.village_digits, 5, 2) || '.' || substr(k.village_digits, 7, 4)
               END AS village_key,
               substr(k.nik, 1, 2) || '.' || substr(k.nik, 3, 2) || '.' || substr(k.nik, 5, 2)
                   AS nik_district_key
        FROM (
            SELECT r.line,
                   NULLIF(trim(r.village_code), '') AS village_raw,
                   translate(coalesce(r.village_code, ''), ' .-', '') AS village_digits,
                   {typed}
            FROM import_raw r
            {fence}
        ) k
        {fence}
    ) t
    LEFT JOIN dtks_region v ON v.level = 4 AND v.code = t.village_key
    LEFT JOIN dtks_region d ON d.level = 3 AND d.code = t.nik_district_key
    ) e
    """.format(
        any_error=" OR ".join("({})".format(condition) for condition, _code in row_errors),
        row_errors=",\n               ".join(
            "CASE WHEN {} THEN '{}' END".format(condition, code) for condition, code in row_errors
        ),
        # Each typed value is computed once, behind a fence: flattened, PostgreSQL would repeat
        # the NIK expression in every place the inlined validator uses it.
        fence="OFFSET 0",
        output=", ".join(
            [
                "e.line",
                "e.errors",
                "e.nik_errors",
                "e.kk_errors",
                "e.village",
                "e.nik_region_unknown",
            ]
            + ["e.{}".format(c.name) for c in COLUMNS]
        ),
        typed=",\n               ".join(typed),
    )


@dataclass
class ImportResult:
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    households_created: int = 0
    households_updated: int = 0
    individuals_created: int = 0
    individuals_updated: int = 0
    families_created: int = 0
    conflicts: int = 0
    #: rows whose NIK the file also gives for another household: imported in status "review"
    for_review: int = 0
    seconds: float = 0.0
    ignored_columns: list[str] = field(default_factory=list)
    rejected_rows: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if k != "rejected_rows"}
        data["rejected_sample"] = self.rejected_rows[:20]
        return data


STEPS = (
    ("copy", 40),
    ("check", 10),
    ("households", 10),
    ("families", 5),
    ("individuals", 25),
    ("history", 10),
)


class _Progress:
    def __init__(self, reporter, total_bytes: int, steps=STEPS):
        self.reporter = reporter
        self.total_bytes = max(total_bytes, 1)
        self.done = 0
        self.steps = dict(steps)

    def bytes_read(self, count: int) -> None:
        if self.reporter:
            share = min(count / self.total_bytes, 1.0) * self.steps["copy"]
            self.reporter.progress(int(share), 100, _("Reading the file"))

    def step_done(self, name: str, message: str) -> None:
        self.done += self.steps[name]
        if self.reporter:
            self.reporter.progress(self.done, 100, message)


def registry_import(
    *,
    handle: IO[bytes],
    filename: str,
    actor,
    size: int | None = None,
    reporter=None,
    max_bytes: int | None = None,
    extract_date=None,
    extract_wins: bool = False,
) -> ImportResult:
    """Import a DTKS/DTSEN extract (CSV or XLSX, one row per person). All or nothing.

    ``extract_date`` is the day the ministry's data was taken. A household changed in SILAKSO
    on or after that day (a member event, a correction, a field visit) is a **conflict**: it
    is kept as it is here and its rows are listed in the report with both values, unless
    ``extract_wins``. Without a date, today is assumed (only today's edits conflict)."""
    started = time.monotonic()
    if connection.vendor != "postgresql":
        raise DomainError(
            _("Bulk import needs PostgreSQL. Run SILAKSO with DATABASE_URL set to use it.")
        )
    if not can_edit_registry(actor):
        raise Forbidden(_("Your role cannot change registry data."))
    limit = max_bytes or getattr(settings, "SILAKSO_IMPORT_MAX_BYTES", MAX_IMPORT_BYTES_DEFAULT)
    if size is not None and size > limit:
        raise DomainError(
            _("The file is too big ({size} MB); the limit is {limit} MB.").format(
                size=size // (1024 * 1024), limit=limit // (1024 * 1024)
            ),
            fields={"file": ""},
        )
    scope = "" if actor.is_installation_wide else (actor.scope_code or "-")
    with transaction.atomic(), connection.cursor() as cursor:
        mapped, result, progress = stage_extract(
            cursor, handle, scope=scope, size=size, reporter=reporter, actor=actor
        )
        progress.step_done("check", _("Saving households"))
        _apply(
            cursor,
            result,
            actor,
            filename,
            progress,
            set(mapped),
            since=_start_of(extract_date),
            extract_wins=extract_wins,
        )
        result.rejected_rows = _rejected(cursor)
        cursor.execute(
            "DROP TABLE import_checked, import_touched, import_households, import_changed, "
            "import_household_rows, import_families"
        )
        result.seconds = round(time.monotonic() - started, 2)
        audit_log(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="dtks.import",
            object_repr=filename[:200],
            region_code=actor.scope_code,
            changes={
                k: [None, v]
                for k, v in result.as_dict().items()
                if isinstance(v, int) and not isinstance(v, bool)
            },
            reason=_("Registry import"),
        )
    _analyze_after(result)
    # the time the caller waited, the final COMMIT and the statistics included
    result.seconds = round(time.monotonic() - started, 2)
    return result


def stage_extract(cursor, handle: IO[bytes], *, scope: str, size, reporter, actor, steps=STEPS):
    """Read an extract into ``import_checked`` (every row typed and checked, ``ok`` or its
    error), inside the caller's transaction: the one reading of a file the import and a
    round's comparison share. Returns the columns present, the counts so far and the
    progress reporter."""
    header, delimiter, chunks = open_table(handle)
    mapped, unknown = map_header(header)
    progress = _Progress(reporter, size or 0, steps)
    result = ImportResult(ignored_columns=unknown)
    # One import at a time; sorting and hashing in memory; day-first dates (DD-MM-YYYY).
    cursor.execute("SELECT pg_advisory_xact_lock(hashtext('silakso-registry-import'))")
    cursor.execute("SET LOCAL work_mem = '256MB'")
    cursor.execute("SET LOCAL DateStyle = 'ISO, DMY'")
    # Compiling these wide statements costs more than JIT saves on them.
    cursor.execute("SET LOCAL jit = off")
    try:
        # Fast path: COPY parses dates, numbers and booleans itself. One bad value anywhere
        # and the whole file is staged again as text, where every row gets its own error.
        with transaction.atomic():
            _stage(cursor, mapped, delimiter, chunks, progress, typed=True)
        fast = True
    except COPY_ERRORS:
        handle.seek(0)
        _header, delimiter, chunks = open_table(handle)
        _stage(cursor, mapped, delimiter, chunks, progress, typed=False)
        fast = False
    progress.step_done("copy", _("Checking every row"))
    params = {
        "scope": scope if scope != "-" else "-",
        "scope_like": (scope + ".%") if scope else "%",
    }
    for column in COLUMNS:
        if column.kind == "choice":
            params["values_{}".format(column.name)] = list(column.values)
    cursor.execute(_check_sql(mapped, fast=fast), params)
    cursor.execute("DROP TABLE import_raw")
    # Statistics of the join keys, so the planner hashes instead of looping.
    cursor.execute(
        "ANALYZE import_checked (line, dtks_id, nik, kk_number, ok, relation_to_head, status)"
    )
    _household_errors(cursor, actor)
    result.rows, result.accepted = _count(
        cursor,
        "SELECT count(*), count(*) FILTER (WHERE ok) FROM import_checked",
    )
    result.rejected = result.rows - result.accepted
    return mapped, result, progress


#: An import that wrote this many households and people refreshes the tables' statistics.
ANALYZE_AFTER_ROWS = 10_000


def _analyze_after(result: ImportResult) -> None:
    """Fresh planner statistics once a big extract is in: autovacuum would take minutes to
    notice, and until then the first searches of a new registry are planned for empty tables
    (at one million people: a scope join 17 ms slower per search, seen in the benchmark)."""
    written = (
        result.households_created
        + result.households_updated
        + result.individuals_created
        + result.individuals_updated
    )
    if written < ANALYZE_AFTER_ROWS:
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dtks_household, dtks_individual, dtks_family")
    # The new names and addresses wait in the GIN indexes' pending lists (fast update) until
    # autovacuum comes; every search would read those lists whole (80,000 entries after a
    # 1M-person import: a name search 7–10 ms slower). A job merges them right after the
    # import, outside the import's own time (about 10 s at one million people).
    from .tasks import merge_search_index_lists_task

    try:
        merge_search_index_lists_task.delay()
    except Exception:  # the broker is down: autovacuum merges them later
        logger.warning("could not queue the search index maintenance", exc_info=True)


def merge_search_index_lists() -> None:
    """Merge the pending lists of the registry's GIN indexes (names, addresses) into them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT gin_clean_pending_list(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
            "WHERE a.amname = 'gin' AND i.indrelid IN "
            "('dtks_individual'::regclass, 'dtks_household'::regclass)"
        )


def _stage(cursor, mapped: list[str], delimiter: str, chunks, progress, *, typed: bool) -> None:
    """COPY the file into the unlogged staging table (typed columns, or all text)."""

    def sql_type(name: str) -> str:
        column = COLUMN_BY_NAME.get(name)
        return SQL_TYPES[column.kind] if typed and column is not None else "text"

    cursor.execute(
        "CREATE UNLOGGED TABLE import_raw (line bigserial, {})".format(
            ", ".join('"{}" {}'.format(name, sql_type(name)) for name in mapped)
        )
    )
    stream = io.BufferedReader(_Utf8Stream(chunks, progress.bytes_read), buffer_size=1 << 20)
    try:
        cursor.cursor.copy_expert(
            "COPY import_raw ({}) FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER '{}', "
            "ENCODING 'UTF8')".format(", ".join('"{}"'.format(n) for n in mapped), delimiter),
            stream,
            size=1 << 20,
        )
    except COPY_ERRORS as exc:
        if typed:
            raise
        raise DomainError(_copy_error(exc), code="malformed_file", fields={"file": ""}) from exc


def _count(cursor, sql: str, params=None) -> tuple:
    cursor.execute(sql, params)
    return cursor.fetchone()


def _copy_error(exc: DataError) -> str:
    text = str(exc).strip()
    line = ""
    for part in text.splitlines():
        if "line" in part and "COPY" in part:
            line = part.split("line", 1)[1].split(",")[0].strip().split(":")[0]
    first = text.splitlines()[0] if text else exc.__class__.__name__
    if line:
        return _("The file cannot be read at line {line}: {problem}").format(
            line=line, problem=first
        )
    return _("The file cannot be read: {problem}").format(problem=first)


def _household_errors(cursor, actor) -> None:
    """Errors that concern a whole household or come from rows already in the registry."""
    scope = "" if actor.is_installation_wide else (actor.scope_code or "-")
    # The first row with a NIK wins. A later row of the same household repeats it (rejected);
    # a later member row of *another* household is the same NIK registered twice: it is
    # imported for review beside the first (status "review", a duplicate-NIK flag), so a
    # reviewer sees both records instead of one vanishing into the rejected rows.
    cursor.execute(
        """
        ALTER TABLE import_checked ADD COLUMN review boolean NOT NULL DEFAULT false;
        UPDATE import_checked c SET ok = false,
               review = c.ok AND duplicate.first_household IS DISTINCT FROM c.dtks_id
                        AND c.relation_to_head <> 'head',
               errors = c.errors || CASE
                   WHEN c.ok AND duplicate.first_household IS DISTINCT FROM c.dtks_id
                        AND c.relation_to_head <> 'head' THEN ARRAY['nik.review']
                   ELSE ARRAY['nik.duplicate_in_file'] END
        FROM (
            SELECT line, first_household FROM (
                SELECT line, row_number() OVER (PARTITION BY nik ORDER BY line) AS position,
                       first_value(dtks_id) OVER (PARTITION BY nik ORDER BY line)
                           AS first_household
                FROM import_checked WHERE nik IN (
                    SELECT nik FROM import_checked GROUP BY nik HAVING count(*) > 1)
            ) numbered WHERE position > 1
        ) duplicate
        WHERE c.line = duplicate.line
        """
    )
    # Households whose accepted rows do not give exactly one living head, or two villages.
    cursor.execute(
        """
        UPDATE import_checked c SET ok = false, errors = c.errors
            || CASE WHEN bad.heads <> 1 THEN ARRAY['household.heads'] ELSE ARRAY[]::text[] END
            || CASE WHEN bad.villages THEN ARRAY['household.villages'] ELSE ARRAY[]::text[] END
        FROM (
            SELECT dtks_id,
                   count(*) FILTER (WHERE relation_to_head = 'head'
                                    AND coalesce(status, 'alive') = 'alive') AS heads,
                   min(village) <> max(village) AS villages
            FROM import_checked WHERE ok GROUP BY dtks_id
            HAVING count(*) FILTER (WHERE relation_to_head = 'head'
                                    AND coalesce(status, 'alive') = 'alive') <> 1
                OR min(village) <> max(village)
        ) bad
        WHERE c.dtks_id = bad.dtks_id AND c.ok
        """
    )
    # A KK number given for two households.
    cursor.execute(
        """
        UPDATE import_checked c SET ok = false,
               errors = c.errors || ARRAY['kk_number.kk_households']
        WHERE c.ok AND c.kk_number IN (
            SELECT kk_number FROM import_checked WHERE ok GROUP BY kk_number
            HAVING min(dtks_id) <> max(dtks_id))
        """
    )
    # A KK number the registry has for another household: moving a family card is a member
    # event (split or move), never a side effect of an import.
    cursor.execute(
        """
        UPDATE import_checked c SET ok = false,
               errors = c.errors || ARRAY['kk_number.other_household']
        FROM dtks_family f JOIN dtks_household h ON h.id = f.household_id
        WHERE c.ok AND f.kk_number = c.kk_number AND h.dtks_id IS DISTINCT FROM c.dtks_id
        """
    )
    # A NIK already registered in a household outside the importer's area.
    if scope:
        cursor.execute(
            """
            UPDATE import_checked c SET ok = false,
                   errors = c.errors || ARRAY['nik.registered_elsewhere']
            FROM dtks_individual i JOIN dtks_household h ON h.id = i.household_id
            WHERE c.ok AND i.nik = c.nik
              AND NOT (h.village_code = %(scope)s OR h.village_code LIKE %(scope_like)s)
            """,
            {"scope": scope, "scope_like": scope + ".%"},
        )
    # A household id already registered outside the importer's area.
    if scope:
        cursor.execute(
            """
            UPDATE import_checked c SET ok = false,
                   errors = c.errors || ARRAY['dtks_id.household_elsewhere']
            FROM dtks_household h
            WHERE c.ok AND h.dtks_id = c.dtks_id
              AND NOT (h.village_code = %(scope)s OR h.village_code LIKE %(scope_like)s)
            """,
            {"scope": scope, "scope_like": scope + ".%"},
        )
    # A household is held back by a rejected row of its head, or by an error of the household
    # itself (its village, its house, one head, its id). A member rejected for their own data
    # (a mistyped NIK, a NIK registered elsewhere, a bad birth date) is left out alone: the
    # rest of the family is imported, the member's row reported with its reason.
    cursor.execute(
        """
        UPDATE import_checked c SET ok = false, errors = c.errors || ARRAY['household.held_back']
        WHERE c.ok AND c.dtks_id IN (
            SELECT dtks_id FROM import_checked WHERE NOT ok
            -- a repeated row of a person, or one imported for review, does not hold back
            -- their household
            AND errors <> ARRAY['nik.duplicate_in_file'] AND NOT review
            AND (relation_to_head = 'head' OR EXISTS (
                SELECT 1 FROM unnest(errors) AS error
                WHERE split_part(error, '.', 1) = ANY(%(household_fields)s))))
        """,
        {"household_fields": [*HOUSEHOLD_COLUMNS, "household"]},
    )


HOUSEHOLD_VALUE_COLUMNS = [
    c for c in HOUSEHOLD_COLUMNS if c not in ("dtks_id", "village_code", "desil", "desil_as_of")
]
BOOL_COLUMNS = [c.name for c in COLUMNS if c.kind == "bool"]
# Always written for a person; the other person columns change only when the file has them.
PERSON_CORE = [
    "household_id",
    "family_id",
    "name",
    "birth_date",
    "sex",
    "relation_to_head",
    "nik_warning",
]
PERSON_OPTIONAL = {
    "birth_place": "coalesce(c.birth_place, '')",
    "marital_status": "coalesce(c.marital_status, '')",
    "education": "coalesce(c.education, '')",
    "occupation": "coalesce(c.occupation, '')",
    "disability": "coalesce(c.disability, 'none')",
    "status": "coalesce(c.status, 'alive')",
    "status_date": "CASE WHEN coalesce(c.status, 'alive') <> 'alive' THEN c.status_date END",
    "id_card_status": "coalesce(c.id_card_status, CASE WHEN c.birth_date > %(adult)s "
    "THEN 'none' ELSE 'has_ektp' END)",
}
PERSON_CORE_VALUES = {
    "household_id": "ih.id",
    "family_id": "f.id",
    "name": "c.name",
    "birth_date": "c.birth_date",
    "sex": "c.sex",
    "relation_to_head": "c.relation_to_head",
    "nik_warning": "CASE WHEN c.nik_region_unknown THEN %(warning)s ELSE '' END",
}


def _household_value(name: str) -> str:
    if name in BOOL_COLUMNS:
        return "coalesce(c.{0}, false)".format(name)
    if name == "livestock_count":
        return "coalesce(c.livestock_count, 0)"
    if COLUMN_BY_NAME[name].kind in ("text", "choice"):
        return "coalesce(c.{0}, '')".format(name)
    return "c.{0}".format(name)


def household_rows(cursor, present: set[str]) -> tuple[list[str], list[str]]:
    """``import_household_rows``: one row per accepted household of ``import_checked``, its
    values from the head's row. Returns the columns written and those an update changes
    (the household columns the file has)."""
    columns = ["dtks_id", "village_code", *HOUSEHOLD_VALUE_COLUMNS, "desil", "desil_as_of"]
    values = [
        "c.dtks_id",
        "c.village",
        *[_household_value(n) for n in HOUSEHOLD_VALUE_COLUMNS],
        "c.desil",
        "CASE WHEN c.desil IS NOT NULL THEN c.desil_as_of END",
    ]
    updatable = ["village_code", *[n for n in HOUSEHOLD_VALUE_COLUMNS if n in present]]
    cursor.execute(
        """
        CREATE TEMP TABLE import_household_rows AS
        SELECT {values}, m.members, m.disabled
        FROM import_checked c
        JOIN (
            SELECT dtks_id, count(*) FILTER (WHERE coalesce(status, 'alive') = 'alive') AS members,
                   coalesce(bool_or(coalesce(disability, 'none') <> 'none'
                                    AND coalesce(status, 'alive') = 'alive'), false) AS disabled
            FROM import_checked WHERE ok GROUP BY dtks_id
        ) m ON m.dtks_id = c.dtks_id
        -- every accepted household has exactly one living head: its row carries the
        -- household's values
        WHERE c.ok AND c.relation_to_head = 'head' AND coalesce(c.status, 'alive') = 'alive'
        """.format(
            values=", ".join("{} AS {}".format(v, n) for v, n in zip(values, columns, strict=True))
        )
    )
    cursor.execute("ANALYZE import_household_rows")
    return columns, updatable


def _apply(
    cursor,
    result: ImportResult,
    actor,
    filename: str,
    progress: _Progress,
    present: set[str],
    *,
    since,
    extract_wins: bool,
) -> None:
    """Upsert households, families and people; columns missing from the file stay as they are."""
    now = timezone.now()
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    cursor.execute("CREATE TEMP TABLE import_touched (household_id bigint, created boolean)")
    columns, updatable = household_rows(cursor, present)
    if not extract_wins:
        result.conflicts = _conflicts(cursor, since, present, updatable)
        result.accepted -= _count(
            cursor, "SELECT count(*) FROM import_checked WHERE conflict_held"
        )[0]
        result.rejected = result.rows - result.accepted
    # Plain UPDATE of the known households and INSERT of the new ones rather than INSERT ... ON
    # CONFLICT: speculative insertion costs a third more per row, and imports are serialised
    # by the advisory lock of stage_extract.
    newer_desil = "n.desil_as_of >= coalesce(h.desil_as_of, '-infinity')"
    cursor.execute(
        """
        WITH updated AS (
            UPDATE dtks_household h SET
                {updates},
                desil = CASE WHEN {newer} THEN n.desil ELSE h.desil END,
                desil_as_of = CASE WHEN {newer} THEN n.desil_as_of ELSE h.desil_as_of END,
                updated_at = %(now)s
            FROM import_household_rows n
            WHERE h.dtks_id = n.dtks_id
              -- a household a round retired is back when an extract has it again
              AND (h.status = 'retired'
                   OR ({compare}) IS DISTINCT FROM ({compare_new})
                   OR (n.desil_as_of > coalesce(h.desil_as_of, '-infinity')
                       AND n.desil IS DISTINCT FROM h.desil))
            RETURNING h.id
        )
        INSERT INTO import_touched SELECT id, false FROM updated
        """.format(
            updates=",\n                ".join("{0} = n.{0}".format(n) for n in updatable),
            newer=newer_desil,
            compare=", ".join("h.{0}".format(n) for n in updatable),
            compare_new=", ".join("n.{0}".format(n) for n in updatable),
        ),
        {"now": now},
    )
    result.households_updated = cursor.rowcount
    cursor.execute(
        """
        WITH inserted AS (
            INSERT INTO dtks_household ({columns}, status, member_count, has_disabled_member,
                                        version, created_at, updated_at, created_by_id)
            SELECT {source}, 'active', n.members, n.disabled, 1, %(now)s, %(now)s, %(actor)s
            FROM import_household_rows n
            WHERE NOT EXISTS (SELECT 1 FROM dtks_household h WHERE h.dtks_id = n.dtks_id)
            RETURNING id
        )
        INSERT INTO import_touched SELECT id, true FROM inserted
        """.format(columns=", ".join(columns), source=", ".join("n." + n for n in columns)),
        {"now": now, "actor": actor_id},
    )
    result.households_created = cursor.rowcount
    cursor.execute(
        "CREATE TEMP TABLE import_households AS "
        "SELECT h.id, h.dtks_id FROM dtks_household h JOIN import_household_rows n "
        "ON n.dtks_id = h.dtks_id"
    )
    cursor.execute("CREATE INDEX ON import_households (dtks_id)")
    cursor.execute("ANALYZE import_households")
    progress.step_done("households", _("Saving family cards"))
    # -- families: by KK number (a KK number belongs to one household of the file, checked) ---
    cursor.execute(
        """
        CREATE TEMP TABLE import_families AS
        SELECT k.kk_number, ih.id AS household_id, k.line
        FROM (SELECT kk_number, min(dtks_id) AS dtks_id, min(line) AS line FROM import_checked
              WHERE ok GROUP BY kk_number) k
        JOIN import_households ih ON ih.dtks_id = k.dtks_id;
        ANALYZE import_families;
        """
    )
    cursor.execute(
        """
        WITH moved AS (
            SELECT f.id, f.household_id AS old_household, n.household_id AS new_household
            FROM dtks_family f JOIN import_families n ON n.kk_number = f.kk_number
            WHERE f.household_id <> n.household_id
        ), updated AS (
            UPDATE dtks_family f SET household_id = m.new_household, updated_at = %(now)s
            FROM moved m WHERE f.id = m.id
        )
        INSERT INTO import_touched
        SELECT old_household, false FROM moved UNION SELECT new_household, false FROM moved
        """,
        {"now": now},
    )
    cursor.execute(
        """
        INSERT INTO dtks_family (household_id, kk_number, kk_warning, created_at, updated_at)
        SELECT n.household_id, n.kk_number, '', %(now)s, %(now)s FROM import_families n
        WHERE NOT EXISTS (SELECT 1 FROM dtks_family f WHERE f.kk_number = n.kk_number)
        ORDER BY n.line
        """,
        {"now": now},
    )
    result.families_created = cursor.rowcount
    progress.step_done("families", _("Saving people"))
    # -- individuals: update the ones whose NIK is known, insert the others -------------------
    optional = [
        n for n in PERSON_OPTIONAL if n in present or (n == "status_date" and "status" in present)
    ]
    compared = PERSON_CORE + optional
    expressions = {**PERSON_CORE_VALUES, **PERSON_OPTIONAL}
    source = """
        FROM import_checked c
        JOIN import_households ih ON ih.dtks_id = c.dtks_id
        JOIN dtks_family f ON f.kk_number = c.kk_number
        WHERE c.ok
    """
    today = timezone.localdate()
    params = {
        "now": now,
        "adult": today.replace(year=today.year - 17, day=min(today.day, 28)),
        "warning": _(
            "The district code in digits 1–6 is not in the current Kemendagri list (it may be "
            "an old code from before a region split). Saved, but please check it."
        ),
    }
    cursor.execute(
        """
        WITH incoming AS (
            SELECT c.nik, {values} {source}
        ), changed AS (
            SELECT i.id, i.household_id AS old_household, n.*
            FROM dtks_individual i JOIN incoming n ON n.nik = i.nik
            -- a record merged away or waiting for review is not the NIK's holder
            WHERE i.status NOT IN ('merged', 'review') AND ({old}) IS DISTINCT FROM ({new})
        ), updated AS (
            UPDATE dtks_individual i SET {assign}, updated_at = %(now)s
            FROM changed ch WHERE i.id = ch.id
            RETURNING i.id
        ), touched AS (
            INSERT INTO import_touched
            SELECT old_household, false FROM changed
            UNION SELECT household_id, false FROM changed
        )
        SELECT count(*) FROM updated
        """.format(
            values=", ".join("{} AS {}".format(expressions[n], n) for n in compared),
            source=source,
            old=", ".join("i.{}".format(n) for n in compared),
            new=", ".join("n.{}".format(n) for n in compared),
            assign=", ".join("{0} = ch.{0}".format(n) for n in compared),
        ),
        params,
    )
    result.individuals_updated = cursor.fetchone()[0]
    all_person = PERSON_CORE + list(PERSON_OPTIONAL)
    cursor.execute(
        """
        WITH inserted AS (
            INSERT INTO dtks_individual (nik, {columns}, created_at, updated_at)
            SELECT c.nik, {values}, %(now)s, %(now)s {source}
              AND NOT EXISTS (SELECT 1 FROM dtks_individual i WHERE i.nik = c.nik)
            -- in file order, which is household order: the household and family indexes
            -- grow at their right edge instead of being touched at random
            ORDER BY c.line
            RETURNING household_id
        ), touched AS (
            INSERT INTO import_touched SELECT DISTINCT household_id, false FROM inserted
        )
        SELECT count(*) FROM inserted
        """.format(
            columns=", ".join(all_person),
            values=", ".join(expressions[n] for n in all_person),
            source=source,
        ),
        params,
    )
    result.individuals_created = cursor.fetchone()[0]
    result.for_review = _import_for_review(cursor, source, expressions, all_person, params)
    result.rejected = result.rows - result.accepted - result.for_review
    progress.step_done("individuals", _("Writing the history"))
    _finish(cursor, actor_id, filename, now)
    progress.step_done("history", _("Done"))


def _import_for_review(cursor, source: str, expressions: dict, columns: list, params) -> int:
    """Insert the rows whose NIK the file also gives for another household, in status
    "review" beside the first record, each with an open duplicate-NIK flag naming the other
    records. A row whose household was not imported (held back, kept for a newer local edit)
    goes back to the rejected rows. Returns the number of rows in review (imported now or by
    an earlier run of the same extract)."""
    values = {**expressions, "status": "'review'", "status_date": "(%(now)s)::date"}
    cursor.execute(
        """
        WITH inserted AS (
            INSERT INTO dtks_individual (nik, {columns}, created_at, updated_at)
            SELECT c.nik, {values}, %(now)s, %(now)s {source}
            WHERE c.review AND NOT EXISTS (
                SELECT 1 FROM dtks_individual i WHERE i.nik = c.nik AND i.household_id = ih.id)
            ORDER BY c.line
            RETURNING id, household_id, nik
        ), flagged AS (
            INSERT INTO dtks_flag (household_id, individual_id, kind, status, reason, evidence,
                                   created_at, updated_at, outcome)
            SELECT n.household_id, n.id, 'duplicate_nik', 'open', %(reason)s,
                   jsonb_build_object('others', (
                       SELECT jsonb_agg(o.id ORDER BY o.id) FROM dtks_individual o
                       WHERE o.nik = n.nik AND o.status <> 'merged')), %(now)s, %(now)s, ''
            FROM inserted n
            ON CONFLICT DO NOTHING
        )
        SELECT count(*) FROM inserted
        """.format(
            columns=", ".join(columns),
            values=", ".join(values[n] for n in columns),
            source=source.replace("WHERE c.ok", ""),
        ),
        {**params, "reason": _("The same NIK is recorded for more than one person.")},
    )
    # rows of a household that is not in the registry now, or already there from a previous
    # run of the same file, are reported like any other row
    cursor.execute(
        """
        UPDATE import_checked c SET review = false,
               errors = c.errors || ARRAY['household.held_back']
        WHERE c.review AND NOT EXISTS (
            SELECT 1 FROM import_households ih JOIN dtks_individual i ON i.household_id = ih.id
            WHERE ih.dtks_id = c.dtks_id AND i.nik = c.nik)
        """
    )
    # imported now, or by an earlier run of the same extract and still waiting
    return _count(cursor, "SELECT count(*) FROM import_checked WHERE review")[0]


def _start_of(day):
    """The first moment of ``day`` in the site's time zone (today when None)."""
    import datetime as dt

    day = day or timezone.localdate()
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _conflicts(cursor, since, present: set[str], updatable: list[str]) -> int:
    """Hold back the households changed in SILAKSO since ``since`` whose rows would change
    them, and note on each such row what differs (SILAKSO's value, the extract's). Returns the
    number of households kept as they are."""
    person = [
        name
        for name in ("name", "birth_date", "sex", "relation_to_head", *PERSON_OPTIONAL)
        if name in present and name != "status_date"
    ]
    cursor.execute(
        """
        ALTER TABLE import_checked ADD COLUMN conflict jsonb NOT NULL DEFAULT '{}'::jsonb,
                                   ADD COLUMN conflict_held boolean NOT NULL DEFAULT false;
        CREATE TEMP TABLE import_edited AS
        SELECT h.id, h.dtks_id, max(e.created_at) AS edited_at
        FROM dtks_household h
        JOIN import_household_rows n ON n.dtks_id = h.dtks_id
        JOIN dtks_householdevent e ON e.household_id = h.id
        WHERE e.source <> 'import' AND e.created_at >= %(since)s
        GROUP BY h.id, h.dtks_id;
        """,
        {"since": since},
    )
    household_diff = (
        " || ".join(
            "CASE WHEN h.{0} IS DISTINCT FROM n.{0} THEN jsonb_build_object('{0}', "
            "jsonb_build_array(h.{0}, n.{0})) ELSE '{{}}'::jsonb END".format(name)
            for name in updatable
            if name != "village_code"
        )
        or "'{}'::jsonb"
    )
    cursor.execute(
        """
        UPDATE import_checked c SET conflict = {diff}
        FROM import_edited ed
        JOIN dtks_household h ON h.id = ed.id
        JOIN import_household_rows n ON n.dtks_id = ed.dtks_id
        WHERE c.ok AND c.dtks_id = ed.dtks_id AND c.relation_to_head = 'head'
          AND coalesce(c.status, 'alive') = 'alive'
        """.format(diff=household_diff)
    )
    person_diff = (
        " || ".join(
            "CASE WHEN i.{0} IS DISTINCT FROM c.{0} THEN jsonb_build_object('{0}', "
            "jsonb_build_array(i.{0}, c.{0})) ELSE '{{}}'::jsonb END".format(name)
            for name in person
        )
        or "'{}'::jsonb"
    )
    cursor.execute(
        """
        CREATE TEMP TABLE import_person_diff AS
        SELECT c.line, CASE
            WHEN i.id IS NULL THEN jsonb_build_object('member', jsonb_build_array(NULL, c.name))
            WHEN i.household_id <> ed.id THEN jsonb_build_object(
                'household', jsonb_build_array(NULL, c.dtks_id))
            ELSE {diff} END AS diff
        FROM import_checked c
        JOIN import_edited ed ON ed.dtks_id = c.dtks_id
        LEFT JOIN dtks_individual i ON i.nik = c.nik AND i.status NOT IN ('merged', 'review')
        WHERE c.ok;
        UPDATE import_checked c SET conflict = c.conflict || d.diff
        FROM import_person_diff d WHERE d.line = c.line;
        DROP TABLE import_person_diff;
        """.format(diff=person_diff)
    )
    cursor.execute(
        """
        WITH held AS (
            SELECT DISTINCT dtks_id FROM import_checked WHERE ok AND conflict <> '{}'::jsonb
        ), marked AS (
            UPDATE import_checked c SET ok = false, conflict_held = true,
                   errors = c.errors || CASE WHEN c.conflict <> '{}'::jsonb
                       THEN ARRAY['conflict.local_edit'] ELSE ARRAY['conflict.household'] END
            FROM held WHERE c.dtks_id = held.dtks_id AND c.ok
        ), removed AS (
            DELETE FROM import_household_rows n USING held WHERE n.dtks_id = held.dtks_id
        )
        SELECT count(*) FROM held
        """
    )
    held = cursor.fetchone()[0]
    cursor.execute("DROP TABLE import_edited")
    return held


def _finish(cursor, actor_id, filename: str, now) -> None:
    """Derived counts, versions, history entries, desil records and NIK flags, set-based.

    New households got their member counts when inserted; changed ones are recounted here.
    """
    cursor.execute(
        "CREATE TEMP TABLE import_changed AS "
        "SELECT household_id, bool_or(created) AS created FROM import_touched "
        "WHERE household_id IS NOT NULL GROUP BY household_id"
    )
    cursor.execute(
        """
        UPDATE dtks_household h SET
            member_count = coalesce(m.members, 0),
            has_disabled_member = coalesce(m.disabled, false),
            status = CASE WHEN coalesce(m.members, 0) > 0 THEN 'active' ELSE 'inactive' END,
            version = h.version + 1,
            updated_at = %(now)s
        FROM import_changed ch
        LEFT JOIN (
            SELECT household_id, count(*) AS members, bool_or(disability <> 'none') AS disabled
            FROM dtks_individual WHERE status = 'alive'
              AND household_id IN (SELECT household_id FROM import_changed WHERE NOT created)
            GROUP BY household_id
        ) m ON m.household_id = ch.household_id
        WHERE h.id = ch.household_id AND NOT ch.created
        """,
        {"now": now},
    )
    cursor.execute(
        """
        INSERT INTO dtks_householdevent (household_id, kind, source, reason, changes, version,
                                         actor_id, created_at)
        SELECT h.id, CASE WHEN ch.created THEN 'created' ELSE 'updated' END, 'import',
               %(reason)s, jsonb_build_object('import', jsonb_build_array(NULL, %(file)s)),
               h.version, %(actor)s, %(now)s
        FROM import_changed ch JOIN dtks_household h ON h.id = ch.household_id
        ORDER BY h.id
        """,
        {"reason": filename[:200], "file": filename[:200], "actor": actor_id, "now": now},
    )
    cursor.execute(
        """
        INSERT INTO dtks_desilrecord (household_id, desil, as_of, source, imported_by_id,
                                      created_at)
        SELECT ih.id, n.desil, n.desil_as_of, %(file)s, %(actor)s, %(now)s
        FROM import_household_rows n JOIN import_households ih ON ih.dtks_id = n.dtks_id
        WHERE n.desil IS NOT NULL AND n.desil_as_of IS NOT NULL
        ORDER BY ih.id
        ON CONFLICT (household_id, as_of) DO UPDATE SET desil = EXCLUDED.desil,
            source = EXCLUDED.source
        WHERE dtks_desilrecord.desil <> EXCLUDED.desil
        """,
        {"file": filename[:200], "actor": actor_id, "now": now},
    )
    cursor.execute(
        """
        INSERT INTO dtks_flag (household_id, individual_id, kind, status, reason, evidence,
                               created_at, updated_at, outcome)
        SELECT i.household_id, i.id, 'nik_unknown_region', 'open', i.nik_warning,
               jsonb_build_object('nik_prefix', substr(i.nik, 1, 6)), %(now)s, %(now)s, ''
        FROM dtks_individual i
        WHERE i.nik_warning <> '' AND i.household_id IN (SELECT household_id FROM import_changed)
        ON CONFLICT (kind, household_id, individual_id)
            WHERE status = 'open' AND individual_id IS NOT NULL DO NOTHING
        """,
        {"now": now},
    )


def _rejected(cursor, limit: int = 100000) -> list[dict]:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_name = 'import_checked' AND column_name = 'conflict'"
    )
    conflict = "conflict" if cursor.fetchone() else "'{}'::jsonb"
    cursor.execute(
        "SELECT line + 1, dtks_id, nik, name, errors "
        "|| ARRAY(SELECT 'nik.' || x FROM unnest(nik_errors) x) "
        "|| ARRAY(SELECT 'kk_number.' || x FROM unnest(kk_errors) x), "
        + conflict
        + " FROM import_checked WHERE NOT ok AND NOT review ORDER BY line LIMIT %s",
        [limit],
    )
    rows = []
    for line, dtks_id, nik, name, errors, raw in cursor.fetchall():
        differences = json.loads(raw) if isinstance(raw, str) else raw
        reasons = [error_message(code) for code in errors if code != "household.held_back"]
        if not reasons:
            reasons = [_("another row of the same household was rejected")]
        rows.append(
            {
                "line": line,
                "dtks_id": dtks_id or "",
                "nik": nik or "",
                "name": name or "",
                "error": "; ".join(reasons),
                "in_silakso": "; ".join(
                    "{}: {}".format(field, _shown(values[0]))
                    for field, values in differences.items()
                ),
                "in_extract": "; ".join(
                    "{}: {}".format(field, _shown(values[1]))
                    for field, values in differences.items()
                ),
            }
        )
    return rows


def _shown(value) -> str:
    return "–" if value in (None, "") else str(value)


# ---------------------------------------------------------------------------- export
def export_rows(individuals) -> Iterator[list[str]]:
    """Rows of the import format for a queryset of individuals (household values repeated)."""
    yield [column.name for column in COLUMNS]
    for person in individuals.iterator(chunk_size=2000):
        household = person.household
        values = []
        for column in COLUMNS:
            if column.name == "village_code":
                value = household.village_id
            elif column.name == "kk_number":
                value = person.family.kk_number if person.family_id else ""
            elif column.name in HOUSEHOLD_COLUMNS:
                value = getattr(household, column.name)
            else:
                value = getattr(person, column.name)
            if column.kind == "bool":
                value = "1" if value else "0"
            elif value is None:
                value = ""
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            values.append(str(value))
        yield values


def export_csv(individuals) -> Iterator[bytes]:
    """Stream a CSV in the import format (UTF-8 with BOM, so Excel shows names correctly)."""
    writer = csv.writer(Echo())
    yield "\ufeff".encode()
    for row in export_rows(individuals):
        yield writer.writerow(safe_row(row)).encode("utf-8")


def export_xlsx(individuals, path: str) -> int:
    """Write an XLSX file in the import format with little memory (openpyxl write-only)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("DTKS")
    count = 0
    for row in export_rows(individuals):
        sheet.append(safe_row(row))
        count += 1
    workbook.save(path)
    return count - 1


# ---------------------------------------------------------------------------- Dukcapil extracts
CIVIL_COLUMNS = {
    "nik": ("nik",),
    "name": ("nama", "nama_lengkap", "nama_lgkp"),
    "birth_date": ("tanggal_lahir", "tgl_lahir", "tgl_lhr"),
    "birth_place": ("tempat_lahir", "tmpt_lhr", "tmp_lahir"),
    "sex": ("jenis_kelamin", "jk", "jenis_klmin"),
    "kk_number": ("no_kk", "nomor_kk", "nkk"),
    "village_code": ("kode_desa", "kode_kelurahan", "kode_wilayah"),
    "rt": ("no_rt",),
    "rw": ("no_rw",),
    "deceased": ("meninggal",),
    "death_date": ("tanggal_meninggal", "tgl_meninggal"),
    "moved_out": ("pindah", "pindah_keluar"),
    "moved_on": ("tanggal_pindah", "tgl_pindah"),
}


def civil_registry_import(*, handle: IO[bytes], filename: str, actor, reporter=None) -> dict:
    """Load a civil-registry (Dukcapil) extract to verify the registry against; upsert by NIK.

    Columns: nik, name, birth_date, birth_place, sex, kk_number, village_code, rt, rw,
    deceased (1/0), death_date, moved_out (1/0), moved_on (``CIVIL_COLUMNS`` has Dukcapil's
    names for them). Set-based like the registry import; rows without a 16-digit NIK are
    counted and skipped.
    """
    if connection.vendor != "postgresql":
        raise DomainError(
            _("Bulk import needs PostgreSQL. Run SILAKSO with DATABASE_URL set to use it.")
        )
    if not can_edit_registry(actor):
        raise Forbidden(_("Your role cannot change registry data."))
    header, delimiter, chunks = open_table(handle)
    lookup = {alias: name for name, aliases in CIVIL_COLUMNS.items() for alias in (name, *aliases)}
    mapped = [
        lookup.get(_normalize_header(h), "ignored_{}".format(i)) for i, h in enumerate(header)
    ]
    missing = [name for name in ("nik", "name") if name not in mapped]
    if missing:
        raise DomainError(
            _("The file lacks required columns: {columns}. See docs/import-format.md.").format(
                columns=", ".join(missing)
            ),
            fields={"file": ""},
        )
    present = set(mapped)

    def column(name: str, default: str = "NULL") -> str:
        return "NULLIF(trim(r.{}), '')".format(name) if name in present else default

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL DateStyle = 'ISO, DMY'")
        cursor.execute("DROP TABLE IF EXISTS civil_raw")  # a second load in one transaction
        cursor.execute(
            "CREATE TEMP TABLE civil_raw ({}) ON COMMIT DROP".format(
                ", ".join('"{}" text'.format(name) for name in mapped)
            )
        )
        try:
            cursor.cursor.copy_expert(
                "COPY civil_raw ({}) FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER '{}')".format(
                    ", ".join('"{}"'.format(n) for n in mapped), delimiter
                ),
                io.BufferedReader(_Utf8Stream(chunks)),
                size=1 << 20,
            )
        except COPY_ERRORS as exc:
            raise DomainError(_copy_error(exc), code="malformed_file", fields={"file": ""}) from exc
        cursor.execute(
            """
            WITH rows AS (
                SELECT DISTINCT ON (nik) * FROM (
                    SELECT translate({nik}, ' .-', '') AS nik, {name} AS name,
                           silakso_parse_date({birth}) AS birth_date,
                           coalesce({birth_place}, '') AS birth_place,
                           CASE lower(coalesce({sex}, '')) {sex_codes} ELSE '' END AS sex,
                           coalesce(left(translate({kk}, ' .-', ''), 16), '') AS kk_number,
                           -- 1904011001 (Dukcapil's digits) or 19.04.01.1001
                           coalesce(CASE WHEN {village} ~ '^[0-9]{{10}}$'
                                         THEN substr({village}, 1, 2) || '.'
                                              || substr({village}, 3, 2) || '.'
                                              || substr({village}, 5, 2) || '.'
                                              || substr({village}, 7, 4)
                                         ELSE left({village}, 13) END, '') AS village_code,
                           coalesce(lpad(left({rt}, 3), 3, '0'), '') AS rt,
                           coalesce(lpad(left({rw}, 3), 3, '0'), '') AS rw,
                           lower(coalesce({deceased}, '0')) IN ('1', 'ya', 'true', 'y') AS deceased,
                           silakso_parse_date({death}) AS death_date,
                           lower(coalesce({moved}, '0')) IN ('1', 'ya', 'true', 'y') AS moved_out,
                           silakso_parse_date({moved_on}) AS moved_on
                    FROM civil_raw r) x
                WHERE nik ~ '^[0-9]{{16}}$' AND name IS NOT NULL ORDER BY nik)
            INSERT INTO dtks_civilregistryrecord (nik, name, birth_date, birth_place, sex,
                                                  kk_number, village_code, rt, rw, deceased,
                                                  death_date, moved_out, moved_on,
                                                  district_code, source, imported_at)
            SELECT nik, name, birth_date, birth_place, sex, kk_number, village_code, rt, rw,
                   deceased, death_date, moved_out, moved_on, substr(nik, 1, 6), %(file)s,
                   %(now)s FROM rows
            ON CONFLICT (nik) DO UPDATE SET name = EXCLUDED.name, birth_date = EXCLUDED.birth_date,
                birth_place = EXCLUDED.birth_place, sex = EXCLUDED.sex,
                kk_number = EXCLUDED.kk_number, village_code = EXCLUDED.village_code,
                rt = EXCLUDED.rt, rw = EXCLUDED.rw, deceased = EXCLUDED.deceased,
                death_date = EXCLUDED.death_date, moved_out = EXCLUDED.moved_out,
                moved_on = EXCLUDED.moved_on, source = EXCLUDED.source,
                imported_at = EXCLUDED.imported_at
            """.format(
                nik=column("nik"),
                name=column("name"),
                birth=column("birth_date"),
                birth_place=column("birth_place"),
                sex=column("sex"),
                sex_codes=" ".join(
                    "WHEN {} THEN {}".format(_sql_text(k), _sql_text(v))
                    for k, v in {
                        **vocabulary.CODES["sex"],
                        "male": "male",
                        "female": "female",
                    }.items()
                ),
                kk=column("kk_number"),
                village=column("village_code"),
                rt=column("rt"),
                rw=column("rw"),
                deceased=column("deceased"),
                death=column("death_date"),
                moved=column("moved_out"),
                moved_on=column("moved_on"),
            ),
            {"file": filename[:200], "now": timezone.now()},
        )
        loaded = cursor.rowcount
        cursor.execute("SELECT count(*) FROM civil_raw")
        rows = cursor.fetchone()[0]
        audit_log(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="dtks.civilregistryrecord",
            object_repr=filename[:200],
            region_code=actor.scope_code,
            changes={"rows": [None, rows], "loaded": [None, loaded]},
            reason=_("Civil registry extract"),
        )
    return {"rows": rows, "loaded": loaded, "skipped": rows - loaded}
