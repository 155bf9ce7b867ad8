"""Small-cell protection for figures that leave the staff scope (public pages, publications).

A count of 1 to k-1 people in a cell can point at a family in a small village. Such cells are
suppressed (primary), and because a published table also carries its row and column totals,
more cells are suppressed (secondary) until no hidden cell can be worked out from what is
shown: every row and column of the table *with its totals* that hides something hides at least
two entries, and every hidden entry lies on a cycle of hidden entries (in the graph of rows and
columns, none is a bridge), so the equations "cells add up to their totals" never pin one down.
Secondary cells are the smallest non-zero ones, so as little as possible is lost.

``suppress(rows, k)`` takes the inner cells (a list of equal-length lists of counts) and returns
a ``Published`` table: cells, row totals, column totals and the grand total, each an int or
None where hidden.
"""

from dataclasses import dataclass

from django.conf import settings

Entry = tuple[int, int]


@dataclass(frozen=True)
class Published:
    cells: list[list[int | None]]
    row_totals: list[int | None]
    column_totals: list[int | None]
    total: int | None
    k: int

    @property
    def hidden(self) -> int:
        """How many figures are hidden (cells and totals)."""
        inner = sum(value is None for row in self.cells for value in row)
        margins = sum(v is None for v in [*self.row_totals, *self.column_totals, self.total])
        return inner + margins


def threshold() -> int:
    """The installation's k (``SILAKSO_DISCLOSURE_K``, default 5; checked at start-up)."""
    return int(getattr(settings, "SILAKSO_DISCLOSURE_K", 5))


def suppress(
    rows: list[list[int]], k: int | None = None, *, totals_row: list[int | None] | None = None
) -> Published:
    """The table with its totals, small cells and what would reveal them hidden.

    ``totals_row`` links the table to one published before it: the column totals and the grand
    total as that table shows them (a district's row of the regency table, for the table of the
    district's villages). What it shows stays shown here (anyone has it already) and what it
    hides stays hidden, so the two tables never give each other's hidden figures away."""
    k = threshold() if k is None else k
    if k < 2:
        raise ValueError("k must be at least 2")
    height, width = len(rows), len(rows[0]) if rows else 0
    # the extended table: inner cells, row totals in the last column, column totals in the
    # last row, the grand total in the corner; each of its lines is one equation
    table = [[*row, sum(row)] for row in rows]
    table.append([sum(row[j] for row in rows) for j in range(width)] + [sum(map(sum, rows))])
    entries = [(i, j) for i in range(height + 1) for j in range(width + 1)]
    hidden = {(i, j) for i, j in entries if 0 < table[i][j] < k}
    fixed: set[Entry] = set()
    if totals_row is not None:
        for j, shown_before in enumerate(totals_row):
            (hidden if shown_before is None else fixed).add((height, j))
        hidden -= fixed  # a figure published elsewhere cannot be taken back here
    while True:
        grown = _second_in_every_line(table, hidden, fixed) | _no_bridges(table, hidden, fixed)
        if not grown:
            break
        hidden |= grown

    def shown(i: int, j: int) -> int | None:
        return None if (i, j) in hidden else table[i][j]

    return Published(
        cells=[[shown(i, j) for j in range(width)] for i in range(height)],
        row_totals=[shown(i, width) for i in range(height)],
        column_totals=[shown(height, j) for j in range(width)],
        total=shown(height, width),
        k=k,
    )


def _second_in_every_line(table, hidden: set[Entry], fixed: set[Entry]) -> set[Entry]:
    """A line hiding exactly one entry would give it away: hide a second one there, where it
    also completes the crossing line if one waits for a partner (fewest figures lost)."""
    height, width = len(table), len(table[0])
    rows = [[(i, j) for j in range(width)] for i in range(height)]
    columns = [[(i, j) for i in range(height)] for j in range(width)]

    def count(line) -> int:
        return sum(entry in hidden for entry in line)

    for line in rows + columns:
        if count(line) != 1:
            continue
        is_row = line[0][0] == line[-1][0]

        def crossing(entry: Entry, is_row: bool = is_row) -> int:
            return count(columns[entry[1]] if is_row else rows[entry[0]])

        free = [entry for entry in line if entry not in hidden and entry not in fixed]
        if not free:
            continue
        return {
            min(
                free,
                key=lambda e: (
                    {1: 0, 0: 2}.get(crossing(e), 1),  # completes a line > harmless > new one
                    table[e[0]][e[1]] == 0,
                    table[e[0]][e[1]],
                    e,
                ),
            )
        }
    return set()


def _no_bridges(table, hidden: set[Entry], fixed: set[Entry]) -> set[Entry]:
    """A hidden entry whose removal splits the hidden graph (rows and columns as nodes) is
    worked out by adding up one side: close a cycle through it with one more entry."""
    edges = sorted(hidden)
    for bridge in _bridges(edges):
        rest = [edge for edge in edges if edge != bridge]
        rows_here = [n[1] for n in _component(rest, ("r", bridge[0])) if n[0] == "r"]
        columns_there = [n[1] for n in _component(rest, ("c", bridge[1])) if n[0] == "c"]
        # any entry from a row on the bridge's one side to a column on its other side closes
        # a cycle through the bridge
        pairs = [
            (i, j)
            for i in rows_here
            for j in columns_there
            if (i, j) not in hidden and (i, j) not in fixed
        ]
        choices = sorted(pairs, key=lambda e: (table[e[0]][e[1]] == 0, table[e[0]][e[1]], e))
        if choices:
            return {choices[0]}
    return set()


def _component(edges: list[Entry], start) -> set:
    neighbours: dict = {}
    for i, j in edges:
        neighbours.setdefault(("r", i), set()).add(("c", j))
        neighbours.setdefault(("c", j), set()).add(("r", i))
    seen, todo = {start}, [start]
    while todo:
        for nxt in neighbours.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _bridges(edges: list[Entry]) -> list[Entry]:
    """Edges of the bipartite graph (row i — column j) that lie on no cycle."""
    found = []
    for edge in edges:
        rest = [other for other in edges if other != edge]
        if ("c", edge[1]) not in _component(rest, ("r", edge[0])):
            found.append(edge)
    return found
