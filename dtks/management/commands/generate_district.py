"""manage.py generate_district — a synthetic population of any size, for demos and benchmarks."""

import sys

from django.core.management.base import BaseCommand, CommandError

from dtks.models import Region
from dtks.synthetic import generate_district


class Command(BaseCommand):
    help = (
        "Generate synthetic households, families and individuals (valid NIK/KK numbers) in a "
        "region. Never run this on a database with real residents."
    )

    def add_arguments(self, parser):
        parser.add_argument("--region", default="19.04", help="Regency, district or village code")
        parser.add_argument("--individuals", type=int, default=10000)
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args, **options):
        if not Region.objects.filter(code=options["region"]).exists():
            raise CommandError(
                "Region {} is not loaded; run `manage.py load_regions` first.".format(
                    options["region"]
                )
            )

        def progress(done: int, total: int) -> None:
            width = 30
            filled = int(width * done / max(total, 1))
            sys.stderr.write(
                "\r[{}{}] {:,}/{:,} individuals".format(
                    "#" * filled, "." * (width - filled), done, total
                )
            )
            sys.stderr.flush()

        try:
            result = generate_district(
                region_code=options["region"],
                individuals=options["individuals"],
                seed=options["seed"],
                progress=progress,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        sys.stderr.write("\n")
        self.stdout.write(
            self.style.SUCCESS(
                "{:,} households, {:,} families, {:,} individuals in {}s via {}".format(
                    result.households,
                    result.families,
                    result.individuals,
                    result.seconds,
                    result.method,
                )
            )
        )
