"""manage.py import_registry FILE --user USERNAME — import a DTKS/DTSEN extract (CSV or XLSX)."""

import csv
import datetime as dt
import os
import sys

from django.core.management.base import BaseCommand, CommandError

from core.models import User
from dtks.bulk import registry_import
from silakso.exceptions import DomainError


class TerminalProgress:
    """A progress bar on stderr, fed by the import like the web job's progress bar."""

    def progress(self, current: int, total: int, message: str = "") -> None:
        width = 30
        filled = int(width * current / max(total, 1))
        sys.stderr.write(
            "\r[{}{}] {:3d}% {:<30}".format(
                "#" * filled,
                "." * (width - filled),
                int(100 * current / max(total, 1)),
                message[:30],
            )
        )
        sys.stderr.flush()


class Command(BaseCommand):
    help = "Import a DTKS/DTSEN extract (docs/import-format.md). All rows or nothing is applied."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--user", required=True, help="Who imports (scope and history)")
        parser.add_argument("--report", help="Write rejected rows to this CSV file")
        parser.add_argument(
            "--extract-date",
            help="YYYY-MM-DD: the day the ministry took the data (default today); households "
            "changed in SILAKSO since then are kept and reported",
        )
        parser.add_argument(
            "--extract-wins",
            action="store_true",
            help="Overwrite changes made in SILAKSO after the extract's date",
        )

    def handle(self, *args, **options):
        try:
            actor = User.objects.get(username=options["user"], is_active=True)
        except User.DoesNotExist as exc:
            raise CommandError("No active user {}".format(options["user"])) from exc
        path = options["path"]
        try:
            with open(path, "rb") as handle:
                result = registry_import(
                    handle=handle,
                    filename=os.path.basename(path),
                    actor=actor,
                    size=os.path.getsize(path),
                    reporter=TerminalProgress(),
                    extract_date=dt.date.fromisoformat(options["extract_date"])
                    if options.get("extract_date")
                    else None,
                    extract_wins=options.get("extract_wins", False),
                )
        except (DomainError, OSError) as exc:
            raise CommandError(str(getattr(exc, "message", exc))) from exc
        sys.stderr.write("\n")
        if options.get("report") and result.rejected_rows:
            with open(options["report"], "w", newline="", encoding="utf-8-sig") as out:
                writer = csv.DictWriter(out, fieldnames=list(result.rejected_rows[0]))
                writer.writeheader()
                writer.writerows(result.rejected_rows)
        self.stdout.write(
            self.style.SUCCESS(
                "{rows} rows in {seconds}s: {accepted} accepted, {rejected} rejected; households "
                "{households_created} new, {households_updated} changed; people "
                "{individuals_created} new, {individuals_updated} changed.".format(
                    **result.as_dict()
                )
            )
        )
