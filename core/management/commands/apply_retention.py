"""manage.py apply_retention [--dry-run] — remove personal data past its retention period."""

from django.core.management.base import BaseCommand

from core.retention import apply_retention


class Command(BaseCommand):
    help = "Remove personal data past its retention period (docs/privacy.md); --dry-run counts."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, dry_run=False, **options):
        counts = apply_retention(dry_run=dry_run)
        verb = "would remove" if dry_run else "removed"
        for name, number in counts.items():
            self.stdout.write("{:32} {} {}".format(name, verb, number))
