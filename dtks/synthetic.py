"""A realistic synthetic district for demos, tests and benchmarks (never mixed with real data).

Households get the socio-economic variables of the registry, drawn from a latent welfare value
plus a district effect so that deciles mean something; families get KK numbers; individuals get
NIKs that encode their real district code, birth date and sex (day + 40 for women) with unique
serials. On PostgreSQL rows are streamed with COPY (one million individuals in about a minute);
on SQLite (the zero-configuration demo) they go through bulk_create.
"""

import datetime as dt
import io
import math
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from core.choices import RegionLevel
from core.scope import within

from .models import Family, Household, Individual, Region

MALE_NAMES = (
    "Ahmad",
    "Agus",
    "Andi",
    "Arif",
    "Bambang",
    "Budi",
    "Dedi",
    "Dimas",
    "Eko",
    "Fajar",
    "Hendra",
    "Heru",
    "Irfan",
    "Joko",
    "Kurniawan",
    "Lukman",
    "Muhammad",
    "Rahmat",
    "Rudi",
    "Slamet",
    "Sutrisno",
    "Taufik",
    "Wahyu",
    "Yanto",
    "Yusuf",
    "Zainal",
    "Hasan",
    "Iwan",
    "Darmawan",
    "Rizky",
    "Sugeng",
    "Sukardi",
    "Suparman",
    "Wawan",
    "Asep",
    "Dodi",
    "Firman",
    "Gunawan",
    "Hadi",
    "Ikhsan",
    "Junaidi",
    "Rusdi",
    "Ilham",
    "Anton",
    "Syahrul",
    "Hamdan",
    "Erwin",
    "Fauzi",
    "Ridwan",
)
FEMALE_NAMES = (
    "Siti",
    "Sri",
    "Dewi",
    "Ayu",
    "Nur",
    "Rina",
    "Wati",
    "Yuni",
    "Lestari",
    "Fitri",
    "Indah",
    "Ratna",
    "Ani",
    "Sari",
    "Dian",
    "Eka",
    "Lina",
    "Maya",
    "Nurul",
    "Putri",
    "Rahayu",
    "Sulastri",
    "Tuti",
    "Wulan",
    "Yanti",
    "Endang",
    "Fatimah",
    "Aisyah",
    "Hartini",
    "Kartini",
    "Mega",
    "Novi",
    "Purwanti",
    "Rosmini",
    "Suharti",
    "Susanti",
    "Titin",
    "Umi",
    "Winda",
    "Zahra",
    "Maryam",
    "Juariah",
    "Lilis",
    "Halimah",
    "Rohani",
    "Salmah",
    "Nining",
    "Asih",
    "Desi",
)
FAMILY_NAMES = (
    "Saputra",
    "Santoso",
    "Wijaya",
    "Hidayat",
    "Setiawan",
    "Kusuma",
    "Pratama",
    "Nugroho",
    "Siregar",
    "Harahap",
    "Lubis",
    "Nasution",
    "Rahman",
    "Hakim",
    "Syahputra",
    "Gunawan",
    "Susanto",
    "Kurniawati",
    "Maulana",
    "Ramadhan",
    "Firmansyah",
    "Hasibuan",
    "Purba",
    "Sembiring",
    "Tanjung",
    "Effendi",
    "Hamid",
    "Yusuf",
    "Abdullah",
    "Ismail",
    "Sulaiman",
    "Anwar",
    "Rasyid",
    "Sitompul",
    "Simatupang",
    "Wibowo",
    "Handoko",
    "Haryanto",
    "Permana",
    "Prasetyo",
    "Utomo",
    "Hartono",
    "Suryadi",
)
BIRTH_PLACES = ("Koba", "Pangkalpinang", "Sungailiat", "Palembang", "Jakarta", "Toboali", "Muntok")


@dataclass
class GenerationResult:
    households: int = 0
    families: int = 0
    individuals: int = 0
    seconds: float = 0.0
    method: str = ""
    extra: dict = field(default_factory=dict)


def _on(year: int, month: int, day: int) -> dt.date:
    """A date that exists (29 February becomes the 28th in other years)."""
    return dt.date(year, month, min(day, 28) if month == 2 else day)


def _pick(rng: random.Random, welfare: float, options: list[tuple[str, float]]) -> str:
    """Pick an option whose 'wealth level' (0 poor … 1 rich) is near the household's welfare."""
    target = 1 / (1 + math.exp(-welfare))  # 0..1
    weights = [math.exp(-((level - target) ** 2) / 0.05) for _, level in options]
    return rng.choices([code for code, _ in options], weights=weights, k=1)[0]


FLOOR = [
    ("earth", 0.05),
    ("bamboo", 0.1),
    ("wood", 0.25),
    ("cement", 0.4),
    ("tile", 0.6),
    ("ceramic", 0.8),
    ("marble", 0.97),
]
WALL = [
    ("bamboo", 0.05),
    ("woven_bamboo", 0.12),
    ("wood", 0.3),
    ("plastered_bamboo", 0.45),
    ("masonry", 0.8),
]
ROOF = [
    ("thatch", 0.05),
    ("bamboo", 0.1),
    ("zinc", 0.35),
    ("asbestos", 0.5),
    ("clay_tile", 0.7),
    ("concrete", 0.95),
]
WATER = [
    ("unprotected_well", 0.05),
    ("surface", 0.05),
    ("rain", 0.15),
    ("protected_well", 0.35),
    ("drilled_well", 0.55),
    ("piped_retail", 0.5),
    ("piped_metered", 0.75),
    ("bottled", 0.9),
]
TOILET = [("none", 0.05), ("public", 0.15), ("shared", 0.3), ("private", 0.7)]
LIGHTING = [
    ("none", 0.02),
    ("non_pln", 0.08),
    ("pln_no_meter", 0.2),
    ("pln_450", 0.3),
    ("pln_900", 0.55),
    ("pln_1300", 0.8),
    ("pln_2200", 0.95),
]
FUEL = [
    ("firewood", 0.05),
    ("charcoal", 0.12),
    ("kerosene", 0.2),
    ("lpg_3kg", 0.45),
    ("lpg_large", 0.8),
    ("electricity", 0.95),
]
HOUSE = [("rent_free", 0.15), ("rent", 0.35), ("contract", 0.5), ("own", 0.6)]
LAND = [("state", 0.1), ("others", 0.25), ("own", 0.65)]
EDUCATION = [
    ("none", 0.05),
    ("primary", 0.25),
    ("junior", 0.45),
    ("senior", 0.65),
    ("diploma", 0.85),
    ("bachelor", 0.95),
]
OCCUPATION = [
    ("none", 0.1),
    ("labourer", 0.15),
    ("fisher", 0.2),
    ("farmer", 0.25),
    ("driver", 0.4),
    ("trader", 0.45),
    ("private_employee", 0.65),
    ("civil_servant", 0.85),
    ("entrepreneur", 0.9),
]
INCOME = [("below_1m", 0.1), ("1m_2m", 0.3), ("2m_3m", 0.5), ("3m_5m", 0.75), ("above_5m", 0.95)]


class DistrictGenerator:
    """Deterministic generator of households, families and individuals for one region.

    ``region_code`` may be a regency, a district or a village; households are spread over the
    villages inside it.
    """

    def __init__(
        self,
        *,
        region_code: str,
        individuals: int,
        seed: int = 42,
        ranked_share: float = 0.85,
        desil_as_of: dt.date | None = None,
    ):
        self.region_code = region_code
        self.target_individuals = individuals
        self.rng = random.Random(seed)
        self.ranked_share = ranked_share
        self.desil_as_of = desil_as_of or dt.date(2026, 7, 1)
        self.villages = list(
            Region.objects.within(region_code)
            .filter(level=RegionLevel.VILLAGE)
            .values_list("code", flat=True)
        )
        if not self.villages:
            raise ValueError(
                f"No villages under {region_code}; run `manage.py load_regions` first."
            )
        districts = sorted({code.rsplit(".", 1)[0] for code in self.villages})
        self.district_effect = {d: self.rng.gauss(0, 0.4) for d in districts}
        self.nik_serials: dict[str, int] = {}
        self.kk_serials: dict[str, int] = {}
        self.today = timezone.localdate()

    # ------------------------------------------------------------------ identifiers
    def _nik(self, village: str, birth: dt.date, female: bool) -> str:
        district = village[:8].replace(".", "")
        day = birth.day + 40 if female else birth.day
        stem = f"{district}{day:02d}{birth.month:02d}{birth.year % 100:02d}"
        serial = self.nik_serials.get(stem, 0) + 1
        self.nik_serials[stem] = serial
        return f"{stem}{serial:04d}"

    def _kk(self, village: str, issued: dt.date) -> str:
        district = village[:8].replace(".", "")
        stem = f"{district}{issued.day:02d}{issued.month:02d}{issued.year % 100:02d}"
        serial = self.kk_serials.get(stem, 0) + 1
        self.kk_serials[stem] = serial
        return f"{stem}{serial:04d}"

    def _birth(self, age: int) -> dt.date:
        start = _on(self.today.year - age - 1, self.today.month, self.today.day) + dt.timedelta(
            days=1
        )
        return start + dt.timedelta(days=self.rng.randrange(365))

    def _name(self, female: bool, family_name: str | None) -> str:
        first = self.rng.choice(FEMALE_NAMES if female else MALE_NAMES)
        roll = self.rng.random()
        if roll < 0.3:
            return first
        if roll < 0.55 and family_name:
            return f"{first} {family_name}"
        second = self.rng.choice(FAMILY_NAMES)
        return f"{first} {second}"

    def _size(self) -> int:
        return self.rng.choices(range(1, 9), weights=[10, 18, 22, 22, 14, 8, 4, 2], k=1)[0]

    # ------------------------------------------------------------------ rows
    def rows(self) -> Iterable[tuple[dict, list[dict], list[dict]]]:
        """Yield (household, families, members) dicts until the target is reached."""
        produced = 0
        index = 0
        while produced < self.target_individuals:
            village = self.villages[index % len(self.villages)]
            index += 1
            size = min(self._size(), self.target_individuals - produced)
            welfare = self.rng.gauss(0, 1) + self.district_effect[village[:8]]
            household, families, members = self._household(village, welfare, size, index)
            produced += len(members)
            yield household, families, members

    def _household(self, village: str, welfare: float, size: int, index: int):
        rng = self.rng
        head_female = rng.random() < 0.15
        head_age = rng.randint(22, 78)
        family_name = rng.choice(FAMILY_NAMES)
        members = []
        head_birth = self._birth(head_age)
        members.append(
            self._person(village, head_birth, head_female, "head", welfare, head_age, family_name)
        )
        if size >= 2 and not head_female and rng.random() < 0.9:
            age = max(18, head_age - rng.randint(0, 8))
            members.append(
                self._person(village, self._birth(age), True, "spouse", welfare, age, None)
            )
        while len(members) < size:
            if rng.random() < 0.08 and head_age < 55:
                age = head_age + rng.randint(20, 30)
                relation = "parent"
            else:
                age = rng.randint(0, max(0, min(head_age - 18, 40)))
                relation = "child" if rng.random() < 0.92 else "grandchild"
            female = rng.random() < 0.5
            members.append(
                self._person(
                    village,
                    self._birth(age),
                    female,
                    relation,
                    welfare,
                    age,
                    family_name if not female else None,
                )
            )
        head = members[0]
        issued = _on(max(head_birth.year + 18, 2005), head_birth.month, head_birth.day)
        families = [{"kk_number": self._kk(village, issued)}]
        for member in members:
            member["family"] = 0
        # A married adult child sometimes holds a KK of their own in the same house.
        adult_children = [
            m for m in members[1:] if m["relation_to_head"] == "child" and m["age"] >= 20
        ]
        if adult_children and rng.random() < 0.25:
            families.append({"kk_number": self._kk(village, _on(2019, self.today.month, 1))})
            adult_children[0]["family"] = 1
            adult_children[0]["marital_status"] = "married"
        floor_area = max(12.0, round(rng.gauss(36 + 18 * welfare, 10) * (0.6 + size / 8), 1))
        household = {
            "dtks_id": "SYN{}{:07d}".format(village.replace(".", ""), index),
            "village_code": village,
            "address": f"Jl. {rng.choice(FAMILY_NAMES)} No. {rng.randint(1, 200)}",
            "rt": f"{rng.randint(1, 12):03d}",
            "rw": f"{rng.randint(1, 6):03d}",
            "latitude": round(-2.35 + rng.uniform(-0.3, 0.3), 6),
            "longitude": round(106.2 + rng.uniform(-0.3, 0.3), 6),
            "floor_material": _pick(rng, welfare, FLOOR),
            "wall_material": _pick(rng, welfare, WALL),
            "roof_material": _pick(rng, welfare, ROOF),
            "floor_area": floor_area,
            "water_source": _pick(rng, welfare, WATER),
            "toilet": _pick(rng, welfare, TOILET),
            "lighting": _pick(rng, welfare, LIGHTING),
            "cooking_fuel": _pick(rng, welfare, FUEL),
            "house_ownership": _pick(rng, welfare, HOUSE),
            "land_ownership": _pick(rng, welfare, LAND),
            "has_gas_cylinder": rng.random() < 0.15 + 0.25 * (welfare > 0.5),
            "has_refrigerator": rng.random() < 0.2 + 0.5 * (welfare > 0),
            "has_air_conditioner": rng.random() < 0.02 + 0.3 * (welfare > 1),
            "has_television": rng.random() < 0.4 + 0.4 * (welfare > -0.5),
            "has_computer": rng.random() < 0.03 + 0.35 * (welfare > 0.8),
            "has_smartphone": rng.random() < 0.55 + 0.4 * (welfare > -0.5),
            "has_gold": rng.random() < 0.05 + 0.3 * (welfare > 0.7),
            "has_motorcycle": rng.random() < 0.35 + 0.5 * (welfare > -0.3),
            "has_car": rng.random() < 0.01 + 0.35 * (welfare > 1.2),
            "has_boat": rng.random() < 0.04,
            "livestock_count": rng.choice((0, 0, 0, 0, 1, 2)) if welfare > -0.5 else 0,
            "head_education": head["education"],
            "head_occupation": head["occupation"],
            "income_band": _pick(rng, welfare, INCOME),
            "member_count": len(members),
            "has_disabled_member": any(m["disability"] != "none" for m in members),
            "welfare": welfare,
        }
        return household, families, members

    def _person(self, village, birth, female, relation, welfare, age, family_name) -> dict:
        rng = self.rng
        if age < 7:
            education, occupation = "none", "none"
        elif age < 19:
            education = "primary" if age < 13 else "junior"
            occupation = "school"
        else:
            education = _pick(rng, welfare, EDUCATION)
            occupation = (
                "housekeeping"
                if female and relation == "spouse" and rng.random() < 0.5
                else _pick(rng, welfare, OCCUPATION)
            )
        if age >= 17:
            id_card = "has_ektp" if rng.random() < 0.95 else "not_recorded"
            marital = (
                "married"
                if relation in ("head", "spouse", "parent")
                else ("single" if rng.random() < 0.8 else "married")
            )
            if relation == "head" and female:
                marital = "widowed" if rng.random() < 0.6 else "divorced"
        else:
            id_card, marital = "none", "single"
        return {
            "nik": self._nik(village, birth, female),
            "name": self._name(female, family_name),
            "birth_place": rng.choice(BIRTH_PLACES),
            "birth_date": birth,
            "sex": "female" if female else "male",
            "relation_to_head": relation,
            "marital_status": marital,
            "education": education,
            "occupation": occupation,
            "disability": "none"
            if rng.random() < 0.97
            else rng.choice(("physical", "visual", "hearing", "intellectual", "mental")),
            "id_card_status": id_card,
            "age": age,
        }


HOUSEHOLD_COLUMNS = [
    "id",
    "dtks_id",
    "village_code",
    "address",
    "rt",
    "rw",
    "latitude",
    "longitude",
    "status",
    "floor_material",
    "wall_material",
    "roof_material",
    "floor_area",
    "water_source",
    "toilet",
    "lighting",
    "cooking_fuel",
    "house_ownership",
    "land_ownership",
    "has_gas_cylinder",
    "has_refrigerator",
    "has_air_conditioner",
    "has_television",
    "has_computer",
    "has_smartphone",
    "has_gold",
    "has_motorcycle",
    "has_car",
    "has_boat",
    "livestock_count",
    "head_education",
    "head_occupation",
    "income_band",
    "member_count",
    "has_disabled_member",
    "desil",
    "desil_as_of",
    "version",
    "created_at",
    "updated_at",
]
FAMILY_COLUMNS = ["id", "household_id", "kk_number", "kk_warning", "created_at", "updated_at"]
INDIVIDUAL_COLUMNS = [
    "id",
    "household_id",
    "family_id",
    "nik",
    "nik_warning",
    "name",
    "birth_place",
    "birth_date",
    "sex",
    "relation_to_head",
    "marital_status",
    "education",
    "occupation",
    "disability",
    "status",
    "id_card_status",
    "created_at",
    "updated_at",
]


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _official_desil(welfare: float) -> int:
    """The national decile a household of this welfare would get from BPS.

    The ranking is national, so a poor district holds more desil-1 households than a rich one;
    the normal CDF of the latent welfare (variance 1 + district effect) models exactly that.
    """
    share = 0.5 * (1 + math.erf(welfare / math.sqrt(2 * 1.16)))
    return min(10, 1 + int(share * 10))


def _reserve_ids(table: str, count: int) -> int:
    """Reserve ``count`` ids from a PostgreSQL identity sequence; return the first."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [sequence])
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        start = max(cursor.fetchone()[0], 0) + 1
        cursor.execute("SELECT setval(%s, %s)", [sequence, start + count - 1])
    return start


CHUNK_HOUSEHOLDS = 20000


def generate_district(
    *,
    region_code: str,
    individuals: int,
    seed: int = 42,
    progress: Callable[[int, int], None] | None = None,
) -> GenerationResult:
    """Generate and store a synthetic population of about ``individuals`` people.

    Rows are produced and written in chunks, so memory stays flat whatever the size.
    """
    started = time.monotonic()
    generator = DistrictGenerator(region_code=region_code, individuals=individuals, seed=seed)
    write = _write_copy if connection.vendor == "postgresql" else _write_bulk
    result = GenerationResult(method="COPY" if write is _write_copy else "bulk_create")
    chunk: list = []
    with transaction.atomic():
        for record in generator.rows():
            household, families, members = record
            desil = _official_desil(household.pop("welfare"))
            ranked = generator.rng.random() < generator.ranked_share
            household["desil"] = desil if ranked else None
            household["desil_as_of"] = generator.desil_as_of if ranked else None
            chunk.append(record)
            result.households += 1
            result.families += len(families)
            result.individuals += len(members)
            if len(chunk) >= CHUNK_HOUSEHOLDS:
                write(chunk)
                chunk = []
                if progress:
                    progress(result.individuals, individuals)
        if chunk:
            write(chunk)
        if progress:
            progress(result.individuals, individuals)
    result.seconds = round(time.monotonic() - started, 2)
    return result


def _write_copy(records) -> None:
    now = timezone.now().isoformat()
    household_id = _reserve_ids("dtks_household", len(records))
    family_id = _reserve_ids("dtks_family", sum(len(f) for _, f, _ in records))
    individual_id = _reserve_ids("dtks_individual", sum(len(m) for _, _, m in records))
    hh_buf, fam_buf, ind_buf = io.StringIO(), io.StringIO(), io.StringIO()
    for household, families, members in records:
        household.update(
            id=household_id, status="active", version=1, created_at=now, updated_at=now
        )
        hh_buf.write("\t".join(_copy_value(household[c]) for c in HOUSEHOLD_COLUMNS) + "\n")
        family_ids = []
        for family in families:
            family_ids.append(family_id)
            row = {
                "id": family_id,
                "household_id": household_id,
                "kk_warning": "",
                "created_at": now,
                "updated_at": now,
                **family,
            }
            fam_buf.write("\t".join(_copy_value(row[c]) for c in FAMILY_COLUMNS) + "\n")
            family_id += 1
        for member in members:
            row = {
                **member,
                "id": individual_id,
                "household_id": household_id,
                "family_id": family_ids[member["family"]],
                "nik_warning": "",
                "status": "alive",
                "created_at": now,
                "updated_at": now,
            }
            ind_buf.write("\t".join(_copy_value(row[c]) for c in INDIVIDUAL_COLUMNS) + "\n")
            member["id"] = individual_id  # for a caller that keeps the truth of its rows
            individual_id += 1
        household_id += 1
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg2 cursor, for copy_expert
        for table, columns, buf in (
            ("dtks_household", HOUSEHOLD_COLUMNS, hh_buf),
            ("dtks_family", FAMILY_COLUMNS, fam_buf),
            ("dtks_individual", INDIVIDUAL_COLUMNS, ind_buf),
        ):
            buf.seek(0)
            raw.copy_expert(
                "COPY {} ({}) FROM STDIN".format(table, ", ".join(columns)), buf, size=1 << 20
            )


def _write_bulk(records) -> None:
    now = timezone.now()
    households = []
    for household, _, _ in records:
        values = {k: v for k, v in household.items() if k != "village_code"}
        households.append(
            Household(
                village_id=household["village_code"], created_at=now, updated_at=now, **values
            )
        )
    Household.objects.bulk_create(households, batch_size=500)
    families, members_rows = [], []
    for obj, (_, fams, members) in zip(households, records, strict=True):
        fam_objs = [Family(household=obj, kk_number=f["kk_number"]) for f in fams]
        families.extend(fam_objs)
        members_rows.append((obj, fam_objs, members))
    Family.objects.bulk_create(families, batch_size=500)
    individuals = []
    for obj, fam_objs, members in members_rows:
        for m in members:
            values = {k: v for k, v in m.items() if k not in ("age", "family")}
            individuals.append(Individual(household=obj, family=fam_objs[m["family"]], **values))
    Individual.objects.bulk_create(individuals, batch_size=500)


def generate_enrollments(
    *, region_code: str, period, max_desil: int, share: float = 0.8, seed: int = 1
) -> int:
    """Enroll a share of the ranked households up to ``max_desil`` (demo and test data only)."""
    rng = random.Random(seed)
    households = (
        Household.objects.filter(within("village__code", region_code), desil__lte=max_desil)
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    chosen = [pk for pk in households if rng.random() < share]
    from .models import Enrollment

    Enrollment.objects.bulk_create(
        [
            Enrollment(
                program=period.program,
                period=period,
                household_id=pk,
                source="import",
                started_on=period.starts_on,
            )
            for pk in chosen
        ],
        batch_size=1000,
    )
    return len(chosen)


def write_import_file(
    *, handle, region_code: str, individuals: int, seed: int = 42, delimiter: str = ","
) -> int:
    """Write a synthetic DTKS extract in the import format (docs/import-format.md); rows written.

    Used by tests and benchmarks; streams, so a million-person file needs little memory.
    """
    import csv

    from .bulk import COLUMNS

    generator = DistrictGenerator(region_code=region_code, individuals=individuals, seed=seed)
    writer = csv.writer(handle, delimiter=delimiter, lineterminator="\n")
    writer.writerow([column.name for column in COLUMNS])
    rows = 0
    for household, families, members in generator.rows():
        desil = _official_desil(household.pop("welfare"))
        ranked = generator.rng.random() < generator.ranked_share
        household["desil"] = desil if ranked else ""
        household["desil_as_of"] = generator.desil_as_of.isoformat() if ranked else ""
        for member in members:
            values = {
                **household,
                **member,
                "kk_number": families[member["family"]]["kk_number"],
                "birth_date": member["birth_date"].isoformat(),
                "status": "alive",
                "status_date": "",
            }
            writer.writerow(
                [
                    ("1" if values[c.name] else "0") if c.kind == "bool" else values.get(c.name, "")
                    for c in COLUMNS
                ]
            )
            rows += 1
    return rows


# ---------------------------------------------------------------------------- duplicates
def _name_typo(rng: random.Random, name: str) -> str:
    """One realistic spelling change of an Indonesian name."""
    words = name.split()
    choice = rng.random()
    if choice < 0.12 and len(words) > 1:
        return " ".join(reversed(words))  # name order swapped
    if choice < 0.22 and len(words) > 1:
        return " ".join(words[:-1])  # last name missing
    if choice < 0.3 and words[0].upper() in ("MUHAMMAD", "MOHAMMAD"):
        return " ".join([rng.choice(["M.", "Moh", "Muh"]), *words[1:]])
    for old, new in (("u", "oe"), ("j", "dj"), ("oe", "u"), ("dj", "j")):
        if old in name.lower() and rng.random() < 0.25:
            index = name.lower().index(old)
            return name[:index] + new + name[index + len(old) :]
    letters = list(name)
    positions = [i for i, c in enumerate(letters) if c.isalpha()]
    i = rng.choice(positions[1:] or positions)
    kind = rng.random()
    if kind < 0.34:
        del letters[i]  # a letter dropped
    elif kind < 0.67:
        letters.insert(i, letters[i])  # a letter doubled
    elif i + 1 < len(letters) and letters[i + 1].isalpha():
        letters[i], letters[i + 1] = letters[i + 1], letters[i]  # two letters swapped
    else:
        del letters[i]
    return "".join(letters)


def _date_typo(rng: random.Random, day: dt.date) -> dt.date:
    """The same day in 80% of cases; otherwise day/month swapped, a digit slip, or ±1–2 days."""
    if rng.random() < 0.8:
        return day
    options = [day + dt.timedelta(days=rng.choice((-2, -1, 1, 2)))]
    if day.day <= 12 and day.day != day.month:
        options.append(dt.date(day.year, day.day, day.month))
    swapped = int("{:02d}".format(day.day)[::-1])
    if 1 <= swapped <= 28 and swapped != day.day:
        options.append(dt.date(day.year, day.month, swapped))
    return rng.choice(options)


def inject_duplicates(
    *, region_code: str, near_share: float = 0.01, exact_share: float = 0.002, seed: int = 11
) -> dict:
    """Register some people a second time, as dirty extracts do; return the true pairs.

    Near duplicates go to another household of the same village with one or two name typos,
    sometimes a mistyped date of birth, and a new or mistyped NIK. Exact duplicates keep the NIK.
    Benchmarks and tests only.
    """
    rng = random.Random(seed)
    people = list(
        Individual.objects.filter(within("household__village__code", region_code), status="alive")
        .values_list("id", flat=True)
        .order_by("id")
    )
    households: dict[str, list[int]] = {}
    for pk, village in Household.objects.filter(within("village__code", region_code)).values_list(
        "id", "village_id"
    ):
        households.setdefault(village, []).append(pk)
    picked = rng.sample(people, int(len(people) * (near_share + exact_share)))
    exact_count = int(len(people) * exact_share)
    sources = Individual.objects.in_bulk(picked)
    village_of = dict(
        Household.objects.filter(pk__in={p.household_id for p in sources.values()}).values_list(
            "id", "village_id"
        )
    )
    copies, truth = [], []
    for number, pk in enumerate(picked):
        source = sources[pk]
        exact = number < exact_count
        village = village_of[source.household_id]
        others = [h for h in households[village] if h != source.household_id]
        target = rng.choice(others if others else households[village])
        name, birth, nik = source.name, source.birth_date, source.nik
        if not exact:
            name = _name_typo(rng, name)
            if rng.random() < 0.4:
                name = _name_typo(rng, name)
            birth = _date_typo(rng, birth)
            digits = list(nik)
            if rng.random() < 0.5:  # one digit mistyped
                position = rng.randrange(6, 16)
                digits[position] = str((int(digits[position]) + rng.randint(1, 9)) % 10)
            else:  # registered again under another serial
                digits[12:] = list("{:04d}".format(rng.randint(5000, 9999)))
            nik = "".join(digits)
        copies.append(
            Individual(
                household_id=target,
                nik=nik,
                name=name,
                birth_place=source.birth_place,
                birth_date=birth,
                sex=source.sex,
                relation_to_head="other_relative",
                marital_status=source.marital_status,
                status="alive",
            )
        )
        truth.append((pk, "exact" if exact else "near"))
    Individual.objects.bulk_create(copies, batch_size=2000)
    pairs = {"near": [], "exact": []}
    for (pk, kind), copy in zip(truth, copies, strict=True):
        pairs[kind].append((min(pk, copy.pk), max(pk, copy.pk)))
    return pairs
