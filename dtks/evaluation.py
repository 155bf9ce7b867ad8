"""A second, independent registry to evaluate duplicate detection on (benchmarks and tests).

The project's own generator (``synthetic``) and its duplicate injector were written beside the
matching rules; figures measured on them say how well the rules fit their author's idea of a
typo. This module is written from a different model of a dense Indonesian city, so the rules
meet data they were never tuned to:

* **names** follow a long-tailed distribution: a few very common first names (Muhammad and its
  spellings, Siti, Sri, Nur, Ahmad, Agus, Abdul), Javanese one-name people (Sutrisno, Tukiyem),
  Sundanese, Balinese, Batak and Chinese-Indonesian names, three-part names;
* **namesakes**: in a dense village many people share a common name, some a birth day too;
  adult twins who live in different houses (Hasan and Husen, Rina and Rini);
* **duplicates** are made with an error model of its own: old (pre-1972) spellings (tj/c,
  dj/j, j/y, ch/kh, sj/sy, oe/u), keyboard slips, a lost or doubled letter, a dropped or
  abbreviated name, a title (H., Hj.); birth dates a day or two off, day and month swapped, the
  year's digit slipped; a NIK mistyped, transposed, kept, or issued again (a new serial, or a
  new NIK that spells the mistyped birth date);
* a **clean control** is the same city with no duplicate at all: every pair flagged there is a
  false flag.

``CityGenerator`` reuses only the household skeleton of ``synthetic.DistrictGenerator`` (sizes,
ages, house variables); names, birth places, twins and every error are this module's own.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from . import synthetic
from .synthetic import DistrictGenerator

# (name, weight): weights are relative frequencies, long-tailed on purpose.
MALE_FIRST = (
    ("Muhammad", 40),
    ("Ahmad", 14),
    ("Abdul", 10),
    ("Agus", 9),
    ("Budi", 6),
    ("Eko", 5),
    ("Joko", 4),
    ("Slamet", 4),
    ("Bambang", 4),
    ("Dedi", 4),
    ("Andi", 4),
    ("Rudi", 3),
    ("Hendra", 3),
    ("Heri", 3),
    ("Yusuf", 3),
    ("Asep", 3),
    ("Ujang", 2),
    ("Dadang", 2),
    ("Iwan", 2),
    ("Rizki", 3),
    ("Dimas", 2),
    ("Fajar", 2),
    ("Arif", 3),
    ("Bayu", 2),
    ("Wahyu", 3),
    ("Teguh", 2),
    ("Imam", 2),
    ("Rahmat", 3),
    ("Hasan", 2),
    ("Husen", 2),
    ("Yudi", 2),
    ("Edi", 2),
    ("Sugeng", 2),
    ("Nanang", 1),
    ("Taufik", 2),
    ("Ilham", 2),
    ("Irfan", 2),
    ("Dodi", 1),
    ("Hadi", 2),
    ("Chairul", 1),
    ("Djoko", 1),
    ("Jusuf", 1),
    ("I Wayan", 1),
    ("I Made", 1),
    ("I Nyoman", 1),
    ("Teuku", 1),
    ("Lim", 1),
    ("Tan", 1),
    ("Aditya", 1),
    ("Galih", 1),
    ("Reza", 1),
    ("Yogi", 1),
    ("Fikri", 1),
    ("Zainal", 1),
)
FEMALE_FIRST = (
    ("Siti", 40),
    ("Sri", 14),
    ("Nur", 10),
    ("Dewi", 8),
    ("Nurul", 5),
    ("Ani", 3),
    ("Ina", 2),
    ("Rina", 3),
    ("Rini", 3),
    ("Yuli", 3),
    ("Wati", 2),
    ("Lina", 2),
    ("Dian", 3),
    ("Fitri", 3),
    ("Ratna", 2),
    ("Yanti", 2),
    ("Eni", 2),
    ("Tri", 3),
    ("Euis", 2),
    ("Neneng", 2),
    ("Ayu", 3),
    ("Putri", 3),
    ("Indah", 2),
    ("Maya", 2),
    ("Novi", 2),
    ("Lia", 2),
    ("Evi", 1),
    ("Desi", 2),
    ("Ni Made", 1),
    ("Ni Ketut", 1),
    ("Cut", 1),
    ("Tjut", 1),
    ("Suci", 1),
    ("Lilis", 1),
    ("Yuyun", 1),
    ("Mega", 1),
    ("Intan", 1),
)
MALE_SECOND = (
    ("Hidayat", 6),
    ("Saputra", 8),
    ("Setiawan", 6),
    ("Kurniawan", 5),
    ("Pratama", 5),
    ("Wijaya", 4),
    ("Santoso", 4),
    ("Gunawan", 3),
    ("Susanto", 3),
    ("Hakim", 2),
    ("Rahman", 4),
    ("Nugroho", 3),
    ("Syahputra", 3),
    ("Firmansyah", 3),
    ("Ramadhan", 3),
    ("Hermawan", 2),
    ("Prasetyo", 3),
    ("Hartono", 2),
    ("Siregar", 2),
    ("Nasution", 2),
    ("Lubis", 1),
    ("Harahap", 1),
    ("Sinaga", 1),
    ("Simanjuntak", 1),
    ("Effendi", 2),
    ("Sulaiman", 2),
    ("Ismail", 2),
    ("Abdullah", 2),
    ("Rizal", 2),
    ("Fauzi", 2),
    ("Hamid", 1),
    ("Ali", 2),
    ("Amin", 2),
    ("Sofyan", 1),
    ("Tjahjono", 1),
    ("Chandra", 1),
)
FEMALE_SECOND = (
    ("Rahayu", 6),
    ("Lestari", 6),
    ("Wati", 4),
    ("Sari", 6),
    ("Handayani", 4),
    ("Wulandari", 4),
    ("Susanti", 3),
    ("Yuliani", 3),
    ("Fitriani", 3),
    ("Aminah", 4),
    ("Aisyah", 4),
    ("Fatimah", 4),
    ("Khadijah", 2),
    ("Nurhayati", 3),
    ("Hasanah", 4),
    ("Maryam", 2),
    ("Rohani", 2),
    ("Kartini", 2),
    ("Permata", 1),
    ("Puspita", 2),
    ("Anggraini", 2),
    ("Rahmawati", 3),
    ("Safitri", 2),
    ("Oktaviani", 1),
    ("Ningsih", 3),
    ("Djuwita", 1),
    ("Zubaidah", 1),
    ("Chodijah", 1),
)
#: Javanese people often carry a single name.
MALE_ONE_NAME = (
    "Sutrisno",
    "Suparman",
    "Sugiyono",
    "Wagiman",
    "Paijo",
    "Tukiman",
    "Sukirno",
    "Marjono",
    "Sumarno",
    "Suyanto",
    "Sunardi",
    "Supriyadi",
    "Karno",
    "Darmo",
    "Poniman",
    "Sarjono",
)
FEMALE_ONE_NAME = (
    "Suparmi",
    "Tuminah",
    "Sumarni",
    "Sukarti",
    "Painem",
    "Tukiyem",
    "Sumiati",
    "Wartini",
    "Suminah",
    "Poniyem",
    "Ngatini",
    "Sarmi",
    "Juminten",
    "Sulastri",
)
MUHAMMAD_SPELLINGS = ("Muhammad", "Muhammad", "Muhammad", "Muhamad", "Mohammad", "Mochammad")
BIRTH_PLACES = (
    ("Pangkalpinang", 40),
    ("Sungailiat", 10),
    ("Bangka", 8),
    ("Jakarta", 6),
    ("Palembang", 6),
    ("Tanjung Pandan", 4),
    ("Belinyu", 4),
    ("Mentok", 3),
    ("Koba", 3),
    ("Bandung", 2),
    ("Medan", 2),
    ("Semarang", 2),
    ("Surabaya", 2),
    ("Padang", 1),
)

KEYBOARD = {
    "a": "sq",
    "b": "vn",
    "c": "xv",
    "d": "sf",
    "e": "wr",
    "f": "dg",
    "g": "fh",
    "h": "gj",
    "i": "uo",
    "j": "hk",
    "k": "jl",
    "l": "k",
    "m": "n",
    "n": "bm",
    "o": "ip",
    "p": "o",
    "r": "et",
    "s": "ad",
    "t": "ry",
    "u": "yi",
    "w": "qe",
    "y": "tu",
    "z": "x",
}
#: Spellings from before the 1972 reform (EYD) and their common look-alikes, both ways.
OLD_SPELLINGS = (
    ("tj", "c"),
    ("dj", "j"),
    ("oe", "u"),
    ("ch", "kh"),
    ("sj", "sy"),
    ("nj", "ny"),
    ("j", "y"),
    ("f", "p"),
    ("y", "i"),
    ("kh", "h"),
)


def _weighted(rng: random.Random, options) -> str:
    names, weights = zip(*options, strict=True)
    return rng.choices(names, weights=weights, k=1)[0]


class CityGenerator(DistrictGenerator):
    """A dense city of ``individuals`` people with realistic names and namesakes."""

    twin_share = 0.03  # of children born in a household with children

    def _name(self, female: bool, family_name: str | None) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.12:
            return rng.choice(FEMALE_ONE_NAME if female else MALE_ONE_NAME)
        first = _weighted(rng, FEMALE_FIRST if female else MALE_FIRST)
        if first == "Muhammad":
            first = rng.choice(MUHAMMAD_SPELLINGS)
        second = _weighted(rng, FEMALE_SECOND if female else MALE_SECOND)
        if roll < 0.22:
            return first
        if roll < 0.40:  # three parts: Siti Nur Aisyah, Muhammad Rizki Pratama
            middle = _weighted(rng, FEMALE_FIRST if female else MALE_FIRST)
            if middle not in (first, "Muhammad", "Siti"):
                return "{} {} {}".format(first, middle, second)
        if not female and family_name and roll < 0.5:
            return "{} {}".format(first, family_name)
        return "{} {}".format(first, second)

    def _household(self, village: str, welfare: float, size: int, index: int):
        household, families, members = super()._household(village, welfare, size, index)
        children = [m for m in members if m["relation_to_head"] == "child"]
        # Twins: a child's sibling born the same day, with a name close to theirs.
        if children and self.rng.random() < self.twin_share:
            twin = dict(children[0])
            twin["nik"] = self._nik(village, twin["birth_date"], twin["sex"] == "female")
            twin["name"] = twin_name(self.rng, twin["name"])
            members.append(twin)
            household["member_count"] = len(members)
        return household, families, members

    def _person(self, village, birth, female, relation, welfare, age, family_name) -> dict:
        person = super()._person(village, birth, female, relation, welfare, age, family_name)
        person["birth_place"] = _weighted(self.rng, BIRTH_PLACES)
        return person


def twin_name(rng: random.Random, name: str) -> str:
    """The name of a twin: Hasan/Husen, Rina/Rini, or another first name."""
    words = name.split()
    pairs = {
        "Hasan": "Husen",
        "Husen": "Hasan",
        "Rina": "Rini",
        "Rini": "Rina",
        "Dian": "Dini",
        "Ani": "Ana",
        "Fajar": "Fajri",
        "Putri": "Putra",
        "Yuli": "Yuni",
        "Dewi": "Dewa",
    }
    if words[0] in pairs:
        words[0] = pairs[words[0]]
    else:
        words[0] = rng.choice(("Adi", "Ade", "Ida", "Eka", "Dwi", "Tri", "Dodi", "Dedi"))
    return " ".join(words)


# ---------------------------------------------------------------------------- the error model
def misspell(rng: random.Random, name: str, age: int = 40) -> str:
    """One change a clerk makes to a name when they register someone again."""
    words = name.split()
    roll = rng.random()
    if roll < 0.08 and len(words) > 1:
        return " ".join(words[:-1])  # the last name left out
    if roll < 0.14 and len(words) > 1:
        return " ".join(words[1:] + words[:1])  # the order changed
    if roll < 0.22 and words[0] in MUHAMMAD_SPELLINGS and len(words) > 1:
        return " ".join([rng.choice(("M.", "Moh.", "Muh.", "Mhd.", "Mohd")), *words[1:]])
    if roll < 0.27 and len(words) > 2:
        return " ".join([words[0], words[1][0] + ".", *words[2:]])  # a middle initial
    if roll < 0.31 and age >= 45:
        return "{} {}".format("Hj." if rng.random() < 0.5 else "H.", name)  # after the hajj
    lower = name.lower()
    if roll < 0.52:
        options = [(old, new) for old, new in OLD_SPELLINGS if old in lower]
        options += [(new, old) for old, new in OLD_SPELLINGS if new in lower]
        if options:
            old, new = rng.choice(options)
            at = lower.index(old)
            replacement = new if not name[at].isupper() else new.capitalize()
            return name[:at] + replacement + name[at + len(old) :]
    letters = list(name)
    positions = [i for i, c in enumerate(letters) if c.isalpha() and i > 0]
    if not positions:
        return name
    i = rng.choice(positions)
    kind = rng.random()
    if kind < 0.35 and letters[i].lower() in KEYBOARD:
        letters[i] = rng.choice(KEYBOARD[letters[i].lower()])  # a neighbouring key
    elif kind < 0.6:
        del letters[i]
    elif kind < 0.8:
        letters.insert(i, letters[i].lower())
    elif i + 1 < len(letters) and letters[i + 1].isalpha():
        letters[i], letters[i + 1] = letters[i + 1], letters[i]
    else:
        del letters[i]
    return "".join(letters)


def generator_year() -> int:
    from django.utils import timezone

    return timezone.localdate().year


def _real(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def mistype_date(rng: random.Random, day: dt.date) -> tuple[dt.date, str]:
    """A date of birth as typed again: (date, kind)."""
    roll = rng.random()
    if roll < 0.55:
        return day, "same"
    if roll < 0.70:
        return day + dt.timedelta(days=rng.choice((-1, 1))), "one_day"
    if roll < 0.77:
        return day + dt.timedelta(days=rng.choice((-2, 2))), "two_days"
    if roll < 0.87 and day.day <= 12 and day.day != day.month:
        return dt.date(day.year, day.day, day.month), "day_month"
    if roll < 0.93:
        swapped = _real(day.year, day.month, int("{:02d}".format(day.day)[::-1]))
        if swapped and swapped != day:
            return swapped, "day_digits"
    year = "{:04d}".format(day.year)
    slipped = _real(int(year[:2] + year[3] + year[2]), day.month, day.day)
    if slipped and slipped != day and slipped.year <= generator_year():
        return slipped, "year_digits"
    return day + dt.timedelta(days=1), "one_day"


def mistype_nik(rng: random.Random, nik: str, birth: dt.date, sex: str) -> tuple[str, str]:
    """The NIK of the second record: (nik, kind)."""
    roll = rng.random()
    digits = list(nik)
    if roll < 0.25:
        return nik, "same"
    if roll < 0.50:
        at = rng.randrange(6, 16)
        digits[at] = str((int(digits[at]) + rng.randint(1, 9)) % 10)
        return "".join(digits), "one_digit"
    if roll < 0.60:
        at = rng.randrange(6, 15)
        if digits[at] == digits[at + 1]:
            digits[at] = str((int(digits[at]) + 1) % 10)
        else:
            digits[at], digits[at + 1] = digits[at + 1], digits[at]
        return "".join(digits), "transposed"
    serial = "{:04d}".format(rng.randint(100, 9999))
    if roll < 0.80:  # issued again: the same date, another serial
        return nik[:12] + serial, "new_serial"
    # registered again under a NIK that spells the (mistyped) date on the new record
    day = birth.day + (40 if sex == "female" else 0)
    return "{}{:02d}{:02d}{:02d}{}".format(nik[:6], day, birth.month, birth.year % 100, serial), (
        "new_nik"
    )


def duplicate_of(rng: random.Random, person: dict, age: int) -> dict:
    """A second record of ``person`` as another registration would write it."""
    copy = dict(person)
    name = person["name"]
    changes = rng.choices((0, 1, 2), weights=(15, 60, 25), k=1)[0]
    for _ in range(changes):
        name = misspell(rng, name, age)
    birth, date_kind = mistype_date(rng, person["birth_date"])
    nik, nik_kind = mistype_nik(rng, person["nik"], birth, person["sex"])
    copy.update(name=name, birth_date=birth, nik=nik, relation_to_head="other_relative")
    copy["kinds"] = (date_kind, nik_kind, changes)
    return copy


def build(
    *, region_code: str, individuals: int, seed: int = 7, duplicate_share: float = 0.0
) -> dict:
    """Write a city of about ``individuals`` people into the registry tables (COPY), with
    ``duplicate_share`` of them registered a second time in another household (of the same
    village, one in twenty in another village of the same district). Returns the truth:
    ``pairs`` (the two records' ids, lower first) with each pair's error kinds, and counts."""
    generator = CityGenerator(region_code=region_code, individuals=individuals, seed=seed)
    rng = random.Random(seed + 1)  # noqa: S311 (test data)
    earlier: dict[str, list] = {}  # village -> people already written, to copy from
    villages_of: dict[str, list[str]] = {}
    for village in generator.villages:
        villages_of.setdefault(village[:8], []).append(village)
    chunk, copies, people = [], [], 0
    with transaction.atomic():
        for household, families, members in generator.rows():
            village = household["village_code"]
            household.pop("welfare")
            household["desil"], household["desil_as_of"] = None, None
            if duplicate_share and rng.random() < duplicate_share * 4:
                pool_village = village
                if rng.random() < 0.05:
                    pool_village = rng.choice(villages_of[village[:8]])
                pool = earlier.get(pool_village) or []
                if pool:
                    source, age = pool.pop(rng.randrange(len(pool)))
                    copy = duplicate_of(rng, source, age)
                    copy["family"] = 0
                    members.append(copy)
                    household["member_count"] = len(members)
                    copies.append((source, copy))
            for member in members:
                if member.get("kinds") is None and rng.random() < 0.1:
                    pool = earlier.setdefault(village, [])
                    if len(pool) < 400:
                        pool.append((member, member.get("age", 40)))
            people += len(members)
            chunk.append((household, families, members))
            if len(chunk) >= synthetic.CHUNK_HOUSEHOLDS:
                synthetic._write_copy(chunk)
                chunk = []
        if chunk:
            synthetic._write_copy(chunk)
    pairs = {(min(s["id"], c["id"]), max(s["id"], c["id"])): c["kinds"] for s, c in copies}
    return {"people": people, "pairs": pairs}


def found_pairs(cursor, *, scope: str | None = None) -> set[tuple[int, int]]:
    """The pairs the fuzzy-duplicate step proposes for ``scope`` (inside a transaction)."""
    from .verification import fuzzy_duplicate_pairs

    fuzzy_duplicate_pairs(cursor, scope=scope)
    cursor.execute("SELECT a, b FROM dedup_pairs")
    pairs = {tuple(row) for row in cursor.fetchall()}
    cursor.execute("DROP TABLE IF EXISTS dedup_people, dedup_variants, dedup_pairs")
    return pairs


def score(found: set, truth: dict) -> dict:
    """Precision, recall and the recall of each error kind."""
    hits = found & set(truth)
    by_kind: dict[str, list[int]] = {}
    for pair, (date_kind, nik_kind, changes) in truth.items():
        for kind in ("date:" + date_kind, "nik:" + nik_kind, "name_changes:{}".format(changes)):
            seen = by_kind.setdefault(kind, [0, 0])
            seen[0] += pair in hits
            seen[1] += 1
    return {
        "found": len(found),
        "true": len(truth),
        "precision": len(hits) / max(len(found), 1),
        "recall": len(hits) / max(len(truth), 1),
        "recall_by_kind": {k: round(v[0] / v[1], 3) for k, v in sorted(by_kind.items())},
    }
