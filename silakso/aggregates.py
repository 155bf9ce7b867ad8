"""Durations in reports: median and 90th percentile of the hours between two timestamps.

On PostgreSQL one aggregate query (percentile_cont); on the SQLite demo the same interpolation
in Python over the (small) demo data.
"""

from django.db import connection
from django.db.models import Aggregate, F, FloatField, Func


class PercentileCont(Aggregate):
    """PostgreSQL's percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)."""

    function = "percentile_cont"
    output_field = FloatField()
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def percentile_cont(ordered: list[float], fraction: float) -> float:
    """percentile_cont's linear interpolation over an ordered list."""
    position = fraction * (len(ordered) - 1)
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def hours_between(queryset, start: str, end: str) -> dict:
    """{count, median_hours, p90_hours} of ``end - start`` over the rows that have both."""
    done = queryset.filter(**{start + "__isnull": False, end + "__isnull": False})
    if connection.vendor == "postgresql":
        hours = Func(
            F(end) - F(start),
            template="EXTRACT(EPOCH FROM %(expressions)s) / 3600.0",
            output_field=FloatField(),
        )
        return {
            "count": done.count(),
            **done.aggregate(
                median_hours=PercentileCont(hours, 0.5), p90_hours=PercentileCont(hours, 0.9)
            ),
        }
    values = sorted(
        (row[end] - row[start]).total_seconds() / 3600 for row in done.values(start, end)
    )
    if not values:
        return {"count": 0, "median_hours": None, "p90_hours": None}
    return {
        "count": len(values),
        "median_hours": percentile_cont(values, 0.5),
        "p90_hours": percentile_cont(values, 0.9),
    }
