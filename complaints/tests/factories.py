"""Test helpers of the complaint flow: complaints made through the service."""

from applications.tests.factories import household, photo
from complaints import services


def complaint(village, *, home=None, category="social_aid", actor=None, channel="online", **extra):
    """A complaint by the head of ``home`` (a registry household of ``village``)."""
    home = home or household(village, head_name="Pengadu Satu")
    head = home.members.get(relation_to_head="head")
    created, _secret = services.complaint_submit(
        category=category,
        description=extra.pop(
            "description", "Bantuan sembako bulan ini tidak sampai ke rumah kami."
        ),
        village=village,
        channel=channel,
        actor=actor,
        complainant={"nik": head.nik, "name": head.name, "phone": "081234500000", **extra},
    )
    return created


def misuse_report(village, *, anonymous=True, **extra):
    created, secret = services.complaint_submit(
        category="misuse",
        description="Kader RT menyimpan kartu KKS warga dan mengambil bantuannya sendiri.",
        village=village,
        channel="online",
        actor=None,
        anonymous=anonymous,
        complainant=extra,
    )
    return created, secret


__all__ = ["photo"]
