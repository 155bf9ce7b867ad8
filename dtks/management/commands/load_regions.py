"""manage.py load_regions — load the official Kemendagri region list (idempotent)."""

from django.core.management.base import BaseCommand

from dtks.services import region_load_all


class Command(BaseCommand):
    help = "Load or refresh the Kemendagri region list (38 provinces … 83,762 villages)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--within", help="Only this region code and what lies below it, e.g. 19.04"
        )

    def handle(self, *args, **options):
        result = region_load_all(within=options.get("within"))
        counts = ", ".join(f"{v} {k}" for k, v in result["counts"].items())
        self.stdout.write(
            self.style.SUCCESS(
                "Regions loaded in {}s: {} ({} retired codes kept). Source: {}".format(
                    result["seconds"], counts, result["retired"], result["source"]
                )
            )
        )
