"""The attacker's interval audit and the suppression that passes it (iomlib.sdc.intervals)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sdc_attack import attack, with_margins

from iomlib.sdc.intervals import Margin, cell_intervals, protect_intervals, unprotected
from iomlib.sdc.secondary import _Line, derivable_cells
from iomlib.sdc.suppress import suppress_table


def _grid(rows: list[list[float]]):
    """Cells of a table with its margins held in it (last column and last row are totals)."""
    v = np.array(rows, dtype=float)
    n_r, n_c = v.shape
    lines = [_Line([i * n_c + j for j in range(n_c)], [1.0] * (n_c - 1) + [-1.0])
             for i in range(n_r)]
    lines += [_Line([i * n_c + j for i in range(n_r)], [1.0] * (n_r - 1) + [-1.0])
              for j in range(n_c)]
    return v.ravel(), lines, n_c


def test_two_hidden_cells_adding_to_two_are_pinned_when_zeros_are_shown():
    # the 01 case in miniature: a row [c] 19 [c] | 21, zeros shown elsewhere
    values = np.array([1.0, 19.0, 1.0, 21.0])
    lines = [_Line([0, 1, 2, 3], [1.0, 1.0, 1.0, -1.0])]       # the row and its total only
    hidden = np.array([True, False, True, False])
    assert derivable_cells(hidden, lines) == []                # the old check saw nothing
    iv = cell_intervals(values, hidden, lines)
    assert iv == {0: (1.0, 1.0), 2: (1.0, 1.0)}
    # with zeros hidden as well a reader only knows 0..2: not pinned, but still small
    iv0 = cell_intervals(values, hidden, lines, zeros_shown=False)
    assert iv0 == {0: (0.0, 2.0), 2: (0.0, 2.0)}
    assert set(unprotected(values, hidden, lines, Margin(10), zeros_shown=False)) == {0, 2}


def test_known_intervals_of_a_two_by_two_pattern():
    # 3 x 3 interior with margins; hide a 2 x 2 rectangle: each cell moves with the others
    values, lines, n_c = _grid([[5, 20, 14, 39], [12, 3, 30, 45], [20, 20, 20, 60],
                                [37, 43, 64, 144]])
    hidden = np.zeros(len(values), dtype=bool)
    for c in (0, 1, n_c, n_c + 1):          # 5, 20 / 12, 3
        hidden[c] = True
    iv = cell_intervals(values, hidden, lines)
    # x = cell(0,0): row 0 gives x + y = 25, col 0 gives x + z = 17, row 1 z + w = 15;
    # every cell >= 1 -> x in [2, 16] (w = x - 2 >= 1 -> x >= 3), so x in [3, 16]
    assert iv[0] == (3.0, 16.0)
    assert iv[n_c + 1] == (1.0, 14.0)
    # the independent attacker of the tests (no integrality, zeros allowed) agrees on the
    # relaxation: [2, 17] loosened by the two unit lower bounds
    lp = cell_intervals(values, hidden, lines, zeros_shown=False, integer=False)
    assert lp[0] == (2.0, 17.0)


def test_one_line_bounds_each_cell_by_the_rest():
    values = np.array([3.0, 4.0, 10.0])
    lines = [_Line([0, 1, 2], [1.0, 1.0, 1.0])]
    hidden = np.array([True, True, False])
    assert cell_intervals(values, hidden, lines) == {0: (1.0, 6.0), 1: (1.0, 6.0)}
    # nothing bounds a hidden cell that is in no published relation
    assert cell_intervals(values, np.array([False, False, True]), []) == {2: (1.0, np.inf)}


def test_margin_requires_reaching_min_cell():
    m = Margin(10)
    assert not m.protects(1, 1)
    assert not m.protects(1, 9)
    assert m.protects(1, 10)
    assert not Margin(10, width=3).protects(8, 10)
    assert "at least 10" in m.describe()


def test_protect_intervals_hides_the_fewest_small_cells():
    values, lines, n_c = _grid([[1, 19, 1, 21], [30, 40, 15, 85], [31, 59, 16, 106]])
    hidden = np.zeros(len(values), dtype=bool)
    hidden[[0, 2]] = True
    # the column totals expose the pair as well, so the rows below must take part
    added, left = protect_intervals(values, hidden, lines, Margin(10))
    assert left == []
    assert added >= 1
    assert unprotected(values, hidden, lines, Margin(10)) == {}


def test_suppress_table_fixes_the_01_row():
    """The 01 adoptions table of the default data, 2020 row: DVIOM [c], IOM 19, KNIFE [c],
    all cohorts 21, zeros shown elsewhere. Each hidden cell used to be pinned to 1."""
    t = pd.DataFrame({"period": ["2016", "2017", "2018", "2019", "2020", "all years"],
                      "DVIOM": [0, 0, 0, 20, 1, 21], "IOM": [40, 35, 30, 25, 19, 149],
                      "KNIFE": [0, 0, 0, 15, 1, 16]})
    t["all cohorts"] = t[["DVIOM", "IOM", "KNIFE"]].sum(axis=1)
    out, _ = suppress_table(t, count_cols=["DVIOM", "IOM", "KNIFE"],
                            totals={"column": "all cohorts", "row": ("period", "all years")})
    published = out.set_index("period")[["DVIOM", "IOM", "KNIFE", "all cohorts"]]
    truth = t.set_index("period")[["DVIOM", "IOM", "KNIFE", "all cohorts"]]
    report = attack(published, truth, ["DVIOM", "IOM", "KNIFE"], total_col="all cohorts",
                    total_row="all years", integer=True, zeros_shown=True)
    small = {cell: r for cell, r in report.items() if 0 < r["true"] < 10}
    assert small
    for cell, r in small.items():
        assert r["high"] - r["low"] >= 1, f"{cell} pinned to {r['low']}"
        assert r["high"] >= 10, f"{cell} known to be at most {r['high']}"


@pytest.mark.parametrize("seed", range(12))
def test_random_tables_pass_the_independent_attacker(seed):
    rng = np.random.default_rng(seed)
    interior = rng.choice([0, 0, 1, 2, 3, 5, 8, 12, 15, 25, 40], size=(5, 4)).tolist()
    truth = with_margins(interior)
    cols = [c for c in truth.columns if c != "total"]
    out, _ = suppress_table(truth, count_cols=cols, totals={"column": "total", "row": "Total"})
    report = attack(out, truth, cols, integer=True, zeros_shown=True)
    for cell, r in report.items():
        if 0 < r["true"] < 10:
            assert r["high"] - r["low"] >= 1 and r["high"] >= 10, (seed, cell, r)
    unprot = out.attrs["suppression"]["unprotected"]
    assert unprot == [] or all(truth.iloc[i][c] == 0 for i, c in unprot)
