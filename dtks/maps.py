"""Households and complaints on a map, inside the user's scope.

The map asks for what its view box holds at its zoom (``map_points``). Far out, the homes are
counted on a grid in one SQL ``GROUP BY`` (a few hundred cells, however many homes the regency
has); close in, or when the box holds few, each home is a point that opens its page. A point
carries the household's number and place, never a name or NIK; each such answer is a read of the
registry and is audited. Open complaints are counted per village, placed at the middle of that
village's homes. Nothing outside the user's area is counted or shown.
"""

from decimal import Decimal, InvalidOperation

from django.db.models import Avg, Count, FloatField, Max, Min
from django.db.models.functions import Cast, Floor
from django.utils.translation import gettext as _

from silakso.exceptions import DomainError

from .choices import HouseholdStatus
from .models import Household

#: Homes sent one by one at most; beyond, the view is counted on a grid.
MAX_POINTS = 500
#: From this zoom on (a few streets), homes are points whatever their number.
POINT_ZOOM = 16
#: Cells per 256-pixel tile edge: about 40 px each.
CELLS_PER_TILE = 6


def parse_view(bbox: str, zoom: str) -> tuple[tuple[float, float, float, float], int]:
    """``west,south,east,north`` in degrees and a zoom 1–19, or a DomainError naming the field."""
    try:
        west, south, east, north = (Decimal(part) for part in bbox.split(","))
    except (ValueError, InvalidOperation):
        message = _("The map area must be four numbers: west, south, east, north.")
        raise DomainError(message, fields={"bbox": message}) from None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        message = _("The map area is not a box on the earth (west < east, south < north).")
        raise DomainError(message, fields={"bbox": message})
    try:
        level = int(zoom)
    except ValueError:
        level = -1
    if not 1 <= level <= 19:
        message = _("The zoom must be a whole number from 1 to 19.")
        raise DomainError(message, fields={"zoom": message})
    return (float(west), float(south), float(east), float(north)), level


def tile_origin(template: str) -> str:
    """``https://tile.example.org`` of a tile URL template (``…/{z}/{x}/{y}.png``), or ""."""
    from urllib.parse import urlsplit

    parts = urlsplit(template.replace("{s}", "a"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    host = parts.netloc
    if "{s}" in template:  # the a/b/c subdomains of a tile server
        host = "*." + host.split(".", 1)[1] if "." in host else host
    return "{}://{}".format(parts.scheme, host)


def located(user):
    """The user's active households that have coordinates."""
    return Household.objects.visible_to(user).filter(
        status=HouseholdStatus.ACTIVE, latitude__isnull=False, longitude__isnull=False
    )


def extent(user) -> dict | None:
    """South-west and north-east corners of the user's located homes, or None."""
    box = located(user).aggregate(
        south=Min("latitude"), west=Min("longitude"), north=Max("latitude"), east=Max("longitude")
    )
    if box["south"] is None:
        return None
    return {key: float(value) for key, value in box.items()}


def map_points(*, user, bbox: tuple[float, float, float, float], zoom: int) -> dict:
    """What the view box holds: ``points`` [[lat, lon, household id]] or ``cells``
    [[lat, lon, homes]], and ``complaints`` [[lat, lon, open complaints, village]]."""
    from core.choices import AuditAction
    from core.services import audit_log

    west, south, east, north = bbox
    homes = located(user).filter(
        latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east
    )
    answer: dict = {"total": 0, "points": [], "cells": [], "complaints": []}
    if zoom < POINT_ZOOM:
        # one pass over the view: the squares, whose counts add up to the homes in it
        size = 360 / (2**zoom) / CELLS_PER_TILE
        cells = (
            homes.annotate(
                cell_x=Floor(Cast("longitude", FloatField()) / size),
                cell_y=Floor(Cast("latitude", FloatField()) / size),
            )
            .values("cell_x", "cell_y")
            .annotate(n=Count("pk"), lat=Avg("latitude"), lon=Avg("longitude"))
            .order_by()
        )
        answer["cells"] = [[float(c["lat"]), float(c["lon"]), c["n"]] for c in cells]
        answer["total"] = sum(cell[2] for cell in answer["cells"])
    if zoom >= POINT_ZOOM or answer["total"] <= MAX_POINTS:
        rows = list(
            homes.order_by("pk").values_list("latitude", "longitude", "pk")[: MAX_POINTS + 1]
        )
        capped = len(rows) > MAX_POINTS
        rows = rows[:MAX_POINTS]
        answer.update(
            cells=[],
            points=[[float(lat), float(lon), pk] for lat, lon, pk in rows],
            capped=capped,
            total=homes.count() if capped else len(rows),
        )
        if rows:
            audit_log(
                actor=user,
                action=AuditAction.VIEW,
                obj=None,
                object_type="dtks.household",
                object_repr=_("Map: {count} homes").format(count=len(rows)),
                changes={"bbox": [west, south, east, north], "zoom": zoom},
            )
    answer["complaints"] = _complaints(user, bbox)
    return answer


def _complaints(user, bbox) -> list:
    """Open complaints per village (misuse reports only for those who may see them), at the
    middle of the village's located homes."""
    from complaints.selectors import complaint_list

    counts = dict(
        complaint_list(user=user)
        .open()
        .values_list("village_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    if not counts:
        return []
    west, south, east, north = bbox
    middles = (
        Household.objects.filter(village_id__in=counts, latitude__isnull=False)
        .values("village_id", "village__name")
        .annotate(lat=Avg("latitude"), lon=Avg("longitude"))
        .order_by()
    )
    return [
        [float(m["lat"]), float(m["lon"]), counts[m["village_id"]], m["village__name"]]
        for m in middles
        if south <= m["lat"] <= north and west <= m["lon"] <= east
    ]
