"""The Kemendagri region list, loaded from the data package."""

import time

from django.db import connection, transaction

from core.choices import AuditAction
from core.services import (
    JobReporter,
    audit_log,
)

from ..models import (
    REGION_SOURCE,
    Region,
)
from ..regions import iter_official_regions
from ._common import (
    REGION_BATCH,
)


# ============================================================================ regions
def region_load_all(
    *, within: str | None = None, actor=None, reporter: JobReporter | None = None
) -> dict:
    """Load (or refresh) the official Kemendagri region list; running it twice changes nothing.

    Upserts by code, parents before children. Codes that disappeared from the decree are kept
    (registry rows may still point at them) and counted as ``retired``.
    """
    started = time.monotonic()
    regions = list(iter_official_regions(within))
    total = len(regions)
    level_names = {1: "provinces", 2: "regencies", 3: "districts", 4: "villages"}
    counts = dict.fromkeys(level_names.values(), 0)
    with transaction.atomic():
        for offset in range(0, total, REGION_BATCH):
            chunk = regions[offset : offset + REGION_BATCH]
            Region.objects.bulk_create(
                [
                    Region(
                        code=item.code,
                        name=item.name,
                        level=item.level,
                        kind=item.type,
                        parent_id=item.code.rsplit(".", 1)[0] if "." in item.code else None,
                        postal_code=item.postal_code or "",
                    )
                    for item in chunk
                ],
                update_conflicts=True,
                unique_fields=["code"],
                update_fields=["name", "level", "kind", "parent", "postal_code"],
            )
            for item in chunk:
                counts[level_names[item.level]] += 1
            if reporter:
                reporter.progress(min(offset + REGION_BATCH, total), total)
        official = {item.code for item in regions}
        if within:
            retired = Region.objects.within(within).exclude(code__in=official).count()
        else:
            retired = Region.objects.count() - len(official)
        result = {
            "source": REGION_SOURCE,
            "counts": counts,
            "total": total,
            "retired": retired,
            "seconds": round(time.monotonic() - started, 2),
        }
        audit_log(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="dtks.region",
            object_repr="Kemendagri region list",
            changes={"loaded": [None, total]},
            reason=REGION_SOURCE,
        )
    if connection.vendor == "postgresql" and total:
        # every list and search joins the regions: plan them for the rows just loaded
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE dtks_region")
    return result
