"""Published tables hide small cells, and nothing hidden can be worked out from the rest.

The attacker knows every published cell and total and that cells add up to their totals; a
hidden figure is *recovered* when those equations pin it down. For each table the test solves
the equations (exact Gaussian elimination over fractions) and asserts that no hidden figure is
determined, that every published inner cell is 0 or at least k, and that nothing else changed.
"""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from silakso.disclosure import suppress


def _extended(rows):
    table = [[*row, sum(row)] for row in rows]
    table.append([sum(col) for col in zip(*rows, strict=True)] + [sum(map(sum, rows))])
    return table


def _published_extended(published):
    table = [
        [*row, total] for row, total in zip(published.cells, published.row_totals, strict=True)
    ]
    table.append([*published.column_totals, published.total])
    return table


def _determined(shown) -> list[tuple[int, int]]:
    """Hidden entries of the extended table that the adding-up equations determine."""
    height, width = len(shown) - 1, len(shown[0]) - 1
    unknowns = [(i, j) for i in range(height + 1) for j in range(width + 1) if shown[i][j] is None]
    index = {entry: n for n, entry in enumerate(unknowns)}
    equations = []
    for i in range(height + 1):  # each row's cells add up to its total
        equation = [Fraction(0)] * len(unknowns)
        for j in range(width + 1):
            if shown[i][j] is None:
                equation[index[(i, j)]] += -1 if j == width else 1
        equations.append(equation)
    for j in range(width + 1):  # each column's cells add up to its total
        equation = [Fraction(0)] * len(unknowns)
        for i in range(height + 1):
            if shown[i][j] is None:
                equation[index[(i, j)]] += -1 if i == height else 1
        equations.append(equation)
    basis = _row_reduce(equations)
    found = []
    for entry, n in index.items():
        probe = [Fraction(int(m == n)) for m in range(len(unknowns))]
        if not any(_reduce(probe, basis)):
            found.append(entry)
    return found


def _row_reduce(rows):
    basis = []  # (pivot column, row normalised to 1 at the pivot)
    for row in rows:
        row = _reduce(list(row), basis)
        pivot = next((n for n, value in enumerate(row) if value), None)
        if pivot is not None:
            basis.append((pivot, [value / row[pivot] for value in row]))
    return basis


def _reduce(row, basis):
    for pivot, base in basis:
        if row[pivot]:
            factor = row[pivot]
            row = [a - factor * b for a, b in zip(row, base, strict=True)]
    return row


def _check(rows, k):
    published = suppress(rows, k)
    truth, shown = _extended(rows), _published_extended(published)
    for i, line in enumerate(shown):
        for j, value in enumerate(line):
            if value is not None:
                assert value == truth[i][j]  # what is shown is true
                if i < len(rows) and j < len(rows[0]):
                    assert value == 0 or value >= k  # no small inner cell is shown
            assert not (0 < truth[i][j] < k) or value is None  # small figures are hidden
    assert _determined(shown) == []  # and none can be worked out
    return published


def test_a_single_small_cell_takes_three_more_with_it():
    published = _check([[12, 3, 9], [8, 15, 11], [20, 7, 14]], 5)
    assert published.cells[0][1] is None
    assert published.hidden == 4  # the 3, a partner in its row, one in its column, the fourth
    assert published.total == 99


def test_a_small_total_is_hidden_too():
    published = _check([[1, 2, 0], [30, 40, 50]], 5)
    assert published.row_totals[0] is None


@pytest.mark.parametrize("k", [2, 5, 10])
def test_a_table_of_only_small_cells_hides_them_all_but_keeps_what_is_safe(k):
    _check([[1, 1], [1, 1]], k)


def test_k_below_two_is_refused():
    with pytest.raises(ValueError):
        suppress([[1]], 1)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(min_value=2, max_value=8).flatmap(
        lambda k: st.tuples(
            st.just(k),
            st.integers(min_value=1, max_value=5).flatmap(
                lambda width: st.lists(
                    st.lists(st.integers(0, 3 * k), min_size=width, max_size=width),
                    min_size=1,
                    max_size=6,
                )
            ),
        )
    )
)
def test_no_hidden_figure_can_be_recovered_from_the_totals(case):
    k, rows = case
    _check(rows, k)
