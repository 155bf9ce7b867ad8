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


def _determined(shown) -> list:
    """Hidden entries of the extended table ``shown`` (None where hidden) that the adding-up
    equations determine."""
    return _determined_together([(shown, lambda i, j: (i, j))])


def _determined_together(tables) -> list:
    """The same for several ``(table, name)``: a hidden entry is the unknown ``name(i, j)``,
    so tables that show the same figure share its unknown."""
    names: dict = {}
    for table, name in tables:
        for i, line in enumerate(table):
            for j, value in enumerate(line):
                if value is None:
                    names.setdefault(name(i, j), len(names))
    equations = []
    for table, name in tables:
        height, width = len(table) - 1, len(table[0]) - 1
        lines = [[(i, j) for j in range(width + 1)] for i in range(height + 1)]
        lines += [[(i, j) for i in range(height + 1)] for j in range(width + 1)]
        for line in lines:  # the line's cells add up to its total (its last entry)
            equation = [Fraction(0)] * len(names)
            for i, j in line:
                if table[i][j] is None:
                    equation[names[name(i, j)]] += -1 if (i, j) == line[-1] else 1
            equations.append(equation)
    basis = _row_reduce(equations)
    found = []
    for entry, n in names.items():
        probe = [Fraction(int(m == n)) for m in range(len(names))]
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


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=2, max_value=6).flatmap(
        lambda k: st.tuples(
            st.just(k),
            st.integers(min_value=1, max_value=3).flatmap(
                lambda width: st.lists(  # districts, each a list of villages
                    st.lists(
                        st.lists(st.integers(0, 3 * k), min_size=width, max_size=width),
                        min_size=1,
                        max_size=3,
                    ),
                    min_size=1,
                    max_size=3,
                )
            ),
        )
    )
)
def test_a_regency_table_and_its_districts_tables_do_not_reveal_each_other(case):
    """The regency table (a row per district) and each district's table (a row per village,
    linked by ``totals_row``) together: the equations of all of them determine nothing hidden."""
    k, districts = case
    regency_rows = [[sum(col) for col in zip(*villages, strict=True)] for villages in districts]
    regency = suppress(regency_rows, k)
    regency_shown = _published_extended(regency)
    linked = []
    for d, villages in enumerate(districts):
        own = suppress(villages, k, totals_row=regency_shown[d])
        shown = _published_extended(own)
        assert shown[-1] == regency_shown[d]  # the shared figures are shown alike
        height = len(villages)

        def name(i, j, d=d, height=height):
            # the district's totals row is the regency table's row of the district
            return ("regency", d, j) if i == height else ("district", d, i, j)

        linked.append((shown, name))

    def regency_name(i, j):
        return ("regency", i, j)

    assert _determined_together([(regency_shown, regency_name), *linked]) == []
