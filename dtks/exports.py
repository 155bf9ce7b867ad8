"""Registry exports as background jobs: any size, written to a file with progress, downloaded
from the job's page (a request is never cut at the web server's timeout)."""

import datetime as dt

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.utils import timezone

from . import bulk

# Up to this many people an export is streamed at once; more runs as a job.
INLINE_ROWS = 5000
XLSX_LIMIT = 200_000


def export_people(*, user, filters: dict):
    """The people of the filtered households in the user's area, in export order."""
    from .filtersets import HouseholdFilterSet
    from .selectors import household_list, individual_list

    households = HouseholdFilterSet(filters or None, queryset=household_list(user=user)).qs
    return (
        individual_list(user=user)
        .filter(household__in=households.values("pk"))
        .select_related("household", "family")
        .order_by("household_id", "id")
    )


def registry_export_write(*, job_id, actor, filters: dict, file_format: str, reporter) -> dict:
    """Job body: write the export to storage, reporting progress every 2,000 people."""
    import tempfile

    from .services import export_audit

    people = export_people(user=actor, filters=filters)
    total = people.count()
    export_audit(actor=actor, filters=filters, rows=total)
    stamp = timezone.localdate().isoformat()
    extension = "xlsx" if file_format == "xlsx" else "csv"
    with tempfile.NamedTemporaryFile(suffix="." + extension) as handle:
        if extension == "xlsx":
            bulk.export_xlsx(people, handle.name)
        else:
            written = 0
            for chunk in bulk.export_csv(people):
                handle.write(chunk)
                written += chunk.count(b"\n")
                if written % 2000 == 0:
                    reporter.progress(min(written, total), total)
        handle.flush()
        handle.seek(0)
        path = default_storage.save(
            "exports/{}.{}".format(job_id, extension), File(handle, name="export." + extension)
        )
    reporter.progress(total, total)
    return {
        "rows": total,
        "report_file": path,
        "download_name": "dtks-{}.{}".format(stamp, extension),
        "expires": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
    }
