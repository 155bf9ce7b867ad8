"""manage.py load_programs — the national program catalogue (idempotent; edits are kept)."""

from django.core.management.base import BaseCommand

from dtks.catalogue import NATIONAL_PROGRAMS
from dtks.models import Program


class Command(BaseCommand):
    help = (
        "Add the national social-aid programs (PKH, BPNT, PIP, PBI-JK, BLT, RS-RTLH, KUBE, ATENSI)."
    )

    def handle(self, *args, **options):
        created = 0
        for entry in NATIONAL_PROGRAMS:
            _program, was_created = Program.objects.get_or_create(
                code=entry["code"], defaults=entry
            )
            created += was_created
        self.stdout.write(
            self.style.SUCCESS(
                "{} national programs added, {} already present.".format(
                    created, len(NATIONAL_PROGRAMS) - created
                )
            )
        )
