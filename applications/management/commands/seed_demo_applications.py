"""Demo requests in several steps, so every role of the demo finds work waiting (idempotent)."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.utils import timezone

from applications import services
from applications.models import Application
from core.models import User
from dtks.models import Household, Program
from silakso.exceptions import DomainError


class Command(BaseCommand):
    help = "Demo aid requests: waiting for the deliberation, for verification, for a data update."

    def handle(self, *args, **options):
        if Application.objects.exists():
            return
        head = User.objects.filter(username="kepala.desa").first()
        operator = User.objects.filter(username="operator.desa").first()
        if head is None or operator is None:
            return
        village = head.region
        programs = list(Program.objects.filter(code__in=["bpnt", "blt", "pbi-jk"]).order_by("code"))
        bpnt = next((p for p in programs if p.code == "bpnt"), None)
        if bpnt is None:
            return
        households = Household.objects.filter(village=village, status="active").order_by("pk")
        richer = households.filter(desil__gte=7).first()
        made = []
        for number, household in enumerate(households.filter(desil__lte=5)[:4]):
            person = household.members.filter(relation_to_head="head").first()
            program = next(
                (
                    p
                    for p in programs
                    if household.desil <= (p.max_desil or 10)
                    and not household.enrollments.filter(program=p).exists()
                ),
                None,
            )
            if person is None or program is None:
                continue
            try:
                made.append(
                    services.application_submit(
                        program=program,
                        applicant={
                            "nik": person.nik,
                            "name": person.name,
                            "phone": "08120000{:04d}".format(household.pk % 10000),
                            "address": household.address,
                            "reason": "Penghasilan tidak tetap, anak masih sekolah.",
                        },
                        village=village,
                        channel="online" if number % 2 == 0 else "village_office",
                        actor=None if number % 2 == 0 else operator,
                    )
                )
            except DomainError:
                continue
        if richer is not None:
            person = richer.members.filter(relation_to_head="head").first()
            if person is not None:
                services.application_submit(
                    program=bpnt,
                    applicant={
                        "nik": person.nik,
                        "name": person.name,
                        "phone": "081299990000",
                        "address": richer.address,
                    },
                    village=village,
                    channel="puskesos",
                    actor=operator,
                )
        waiting = [a for a in made if a.status == "awaiting_deliberation"]
        if waiting:
            services.deliberation_record(
                village=village,
                kind="sptjm",
                held_on=timezone.localdate(),
                document=SimpleUploadedFile("sptjm.pdf", b"%PDF-1.4\n% SPTJM demo\n"),
                decisions={waiting[0].pk: (True, "")},
                actor=head,
            )
        self._period_list(village)
        self.stdout.write(
            "  {} demo aid requests (one waits for the verifier, others for the village head)".format(
                Application.objects.count()
            )
        )

    def _period_list(self, village) -> None:
        """The regency's open period list, so a verified request has a list to join and the
        data manager finds one to finalise (README, step 7)."""
        from applications.models import Batch

        manager = User.objects.filter(username="pengelola.data").first()
        regency = village.parent.parent if village.parent else None
        if manager is None or regency is None or Batch.objects.filter(regency=regency).exists():
            return
        import calendar

        from django.utils import formats, translation

        today = timezone.localdate()
        with translation.override("id"):
            month = formats.date_format(today, "F Y")
        services.batch_create(
            regency=regency,
            name="Usulan {}".format(month),
            # the month's last day: what the verifier verifies in the demo today is in it
            cutoff=today.replace(day=calendar.monthrange(today.year, today.month)[1]),
            actor=manager,
        )
