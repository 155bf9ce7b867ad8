"""Demo complaints in several steps, one late, and a misuse report (idempotent)."""

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from complaints import services
from complaints.models import Complaint
from core.models import User
from dtks.models import Household


class Command(BaseCommand):
    help = "Demo complaints: at the village, forwarded, late, closed and rated, a misuse report."

    def handle(self, *args, **options):
        if Complaint.objects.exists():
            return
        operator = User.objects.filter(username="operator.desa").first()
        if operator is None:
            return
        village = operator.region
        heads = [
            household.members.filter(relation_to_head="head").first()
            for household in Household.objects.filter(village=village).order_by("-pk")[:4]
        ]
        heads = [head for head in heads if head is not None]
        texts = [
            ("social_aid", "Beras BPNT bulan ini belum sampai ke rumah kami."),
            ("health", "Ditolak berobat di puskesmas karena kartu KIS tidak aktif."),
            ("education", "Anak saya belum menerima PIP padahal sudah terdaftar."),
            ("housing", "Atap rumah bocor parah, mohon bantuan bedah rumah."),
        ]
        made = []
        for head, (category, text) in zip(heads, texts, strict=False):
            complaint, _secret = services.complaint_submit(
                category=category,
                description=text,
                village=village,
                channel="online" if category != "health" else "puskesos",
                actor=None if category != "health" else operator,
                complainant={"nik": head.nik, "name": head.name, "phone": "081277700000"},
            )
            made.append(complaint)
        if len(made) >= 2:
            services.complaint_forward(complaint=made[1], actor=operator, note="Perlu Dinsos")
            Complaint.objects.filter(pk=made[1].pk).update(
                due_at=timezone.now() - dt.timedelta(hours=3)
            )
        if len(made) >= 3:
            services.complaint_resolve(
                complaint=made[2],
                actor=operator,
                resolution="Sudah dicek ke sekolah; PIP cair bulan depan.",
                resolved_by_kind="information",
            )
            services.complaint_close(complaint=made[2], actor=operator, told_via="phone_call")
            services.complaint_rate(complaint=made[2], rating=4, comment="Cepat dan jelas")
        services.complaint_submit(
            category="misuse",
            description="Kader menyimpan kartu KKS beberapa warga dan mencairkan bantuannya.",
            village=village,
            channel="online",
            actor=None,
            anonymous=True,
            complainant={},
        )
        self.stdout.write(
            "  {} demo complaints (one late, one misuse report)".format(Complaint.objects.count())
        )
