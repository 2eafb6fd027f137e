"""Tests of iomlib.sdc.suppress: small-cell suppression of tables, measure rows and curves.

The suppression tests re-solve every published table independently of the module
(:mod:`sdc_attack`): they write down the equations a reader has (each row and column adds up to
its total), treat the hidden cells as unknowns and check with linear algebra that none of them is
determined, and with linear programming (non-negative counts) that none is pinned to a single
value.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sdc_attack import assert_protected, attack, hidden_cells, with_margins

from iomlib.errors import ParameterError
from iomlib.sdc.suppress import (
    display_table,
    fold_hidden,
    suppress_curve,
    suppress_measures,
    suppress_table,
)

# ------------------------------------------------------------------------------------------
# suppress_table: hand-worked tables


def test_3x3_with_margins_hand_worked():
    #           c0   c1   c2 | total
    #   r0      20   15   30 |   65
    #   r1       4   25   12 |   41      4 < 10: primary
    #   r2      18   11   22 |   51
    #   Total   42   51   64 |  157
    # row r1 then has one hidden cell: hide its smallest other cell, 12 (r1/c2);
    # column c0 has one (4): hide 18 (r2/c0); column c2 has one (12): hide 22 (r2/c2);
    # now row r2 has two and every line has 0 or 2 hidden cells: stable.
    t = with_margins([[20, 15, 30], [4, 25, 12], [18, 11, 22]])
    cols = ["c0", "c1", "c2"]
    out, n = suppress_table(t, count_cols=cols, totals={"row": "Total", "column": "total"})
    assert n == 4
    assert hidden_cells(out, cols + ["total"]) == {("r1", "c0"), ("r1", "c2"), ("r2", "c0"),
                                                   ("r2", "c2")}
    assert out.attrs["suppression"]["primary"] == 1
    assert out.attrs["suppression"]["secondary"] == 3
    assert out["c0_suppressed"].tolist() == [False, True, True, False]
    assert out["total_suppressed"].tolist() == [False] * 4
    assert out["c0"].dtype == "Int64"
    # what is shown is unchanged
    assert out.loc["r0", "c0"] == 20 and out.loc["Total", "total"] == 157
    # no hidden cell can be recovered from the margins
    report = attack(out, t, cols)
    assert set(report) == {("r1", "c0"), ("r1", "c2"), ("r2", "c0"), ("r2", "c2")}
    assert_protected(report)


def test_primary_only_would_be_recoverable():
    """The reason for secondary suppression: one hidden cell per row is a subtraction away."""
    t = with_margins([[20, 15, 30], [4, 25, 12], [18, 11, 22]])
    cols = ["c0", "c1", "c2"]
    out, n = suppress_table(t, count_cols=cols, totals=False)
    assert n == 1 and hidden_cells(out, cols) == {("r1", "c0")}
    report = attack(out, t, cols)
    assert report[("r1", "c0")]["determined"]
    assert report[("r1", "c0")]["low"] == pytest.approx(4) == report[("r1", "c0")]["high"]


def test_small_margin_is_itself_hidden():
    # a whole row of 9 people: its total is a small count too
    t = with_margins([[3, 2, 4], [30, 25, 40], [15, 20, 35]])
    cols = ["c0", "c1", "c2"]
    out, n = suppress_table(t, count_cols=cols, totals={"row": "Total", "column": "total"})
    assert pd.isna(out.loc["r0", "total"])
    assert {("r0", "c0"), ("r0", "c1"), ("r0", "c2")} <= hidden_cells(out, cols)
    assert n == len(hidden_cells(out, cols + ["total"]))
    assert_protected(attack(out, t, cols))


# a table in which the pairwise rule alone (every row and column with 0 or >= 2 hidden cells)
# leaves cell r1/c2 derivable: it is a "bridge" between two cycles of hidden cells, so summing the
# rows r0, r3 and columns c2, c4 gives it away. suppress_table must notice and hide one more cell.
BRIDGE = [[100, 0, 12, 12, 1], [15, 40, 12, 5, 40], [12, 12, 20, 1, 40], [15, 20, 3, 40, 3]]


def test_pairwise_rule_is_not_enough_and_the_algebra_check_fixes_it():
    t = with_margins(BRIDGE)
    cols = [f"c{j}" for j in range(5)]
    # the pattern the pairwise rule reaches on its own:
    pairwise = t.copy().astype("Int64")
    for cell in [("r0", "c2"), ("r0", "c4"), ("r1", "c0"), ("r1", "c2"), ("r1", "c3"),
                 ("r2", "c0"), ("r2", "c3"), ("r3", "c2"), ("r3", "c4")]:
        pairwise.loc[cell] = pd.NA
    report = attack(pairwise, t, cols)
    assert report[("r1", "c2")]["determined"]
    for r in pairwise.index:                                  # yet 0 or >= 2 per line
        assert pairwise.loc[r, cols + ["total"]].isna().sum() in (0, 2, 3)
    for c in cols + ["total"]:
        assert pairwise[c].isna().sum() in (0, 2, 3)

    out, n = suppress_table(t, count_cols=cols, totals={"row": "Total", "column": "total"})
    assert n > 9
    assert_protected(attack(out, t, cols))


def test_cross_tab_without_margins_assumes_published_totals():
    t = pd.DataFrame({"IOM": [25, 3, 40], "DVIOM": [12, 30, 18]}, index=["N", "S", "E"])
    out, n = suppress_table(t, count_cols=["IOM", "DVIOM"])
    assert n == 4
    assert hidden_cells(out, ["IOM", "DVIOM"]) == {("N", "IOM"), ("N", "DVIOM"), ("S", "IOM"),
                                                  ("S", "DVIOM")}
    assert_protected(attack(out, t, ["IOM", "DVIOM"], implicit_totals=True))
    # only row totals published: the column needs no partner
    out, n = suppress_table(t, count_cols=["IOM", "DVIOM"], totals="rows")
    assert hidden_cells(out, ["IOM", "DVIOM"]) == {("S", "IOM"), ("S", "DVIOM")}


def test_zeros_are_shown_unless_asked():
    t = pd.DataFrame({"a": [0, 12, 30], "b": [15, 14, 0]})
    out, n = suppress_table(t, count_cols=["a", "b"], totals=False)
    assert n == 0 and out["a"].tolist() == [0, 12, 30]
    out, n = suppress_table(t, count_cols=["a", "b"], totals=False, suppress_zeros=True)
    assert n == 2 and out["a"].isna().tolist() == [True, False, False]


def test_secondary_prefers_a_non_zero_cell():
    # row 0: 5 is primary; its partners are 0 and 40: hiding the zero would protect nothing
    t = pd.DataFrame({"a": [5, 20, 30], "b": [0, 25, 11], "c": [40, 19, 12]})
    out, _ = suppress_table(t, count_cols=["a", "b", "c"], totals="rows")
    assert hidden_cells(out, ["a", "b", "c"]) == {(0, "a"), (0, "c")}


def test_derived_columns_are_hidden_with_their_counts():
    t = pd.DataFrame({"area": ["N", "S", "E"], "yes": [40, 6, 25], "total": [50, 30, 8]})
    t["pct"] = 100 * t["yes"] / t["total"]
    out, n = suppress_table(t, count_cols=["yes", "total"], totals=False,
                            derived={"pct": ["yes", "total"]})
    assert n == 2                              # 6 and 8
    assert out["pct"].isna().tolist() == [False, True, True]
    assert out["pct_suppressed"].tolist() == [False, True, True]
    assert out.attrs["suppression"]["derived_hidden"] == 2
    assert out.loc[0, "pct"] == pytest.approx(80.0)


def test_long_table_with_groups():
    # per cohort, the areas add up to the cohort total (published); groups are independent
    t = pd.DataFrame({"cohort": ["IOM"] * 3 + ["DVIOM"] * 3,
                      "area": ["N", "S", "E"] * 2,
                      "n": [40, 4, 30, 25, 35, 45]})
    out, n = suppress_table(t, count_cols="n", totals="columns", by="cohort")
    assert n == 2
    assert out["n"].isna().tolist() == [False, True, True, False, False, False]
    # without the grouping, one column total over all rows: 4 and the next smallest (25)
    out, n = suppress_table(t, count_cols="n", totals="columns")
    assert out["n"].isna().tolist() == [False, True, False, True, False, False]


def test_long_table_with_total_rows_per_group():
    t = pd.DataFrame({"cohort": ["IOM"] * 4 + ["KNIFE"] * 4,
                      "area": ["N", "S", "E", "All"] * 2,
                      "n": [40, 4, 30, 74, 25, 35, 45, 105]})
    out, n = suppress_table(t, count_cols="n", totals={"row": ("area", "All")}, by="cohort")
    assert n == 2
    assert out["n"].isna().tolist() == [False, True, True, False, False, False, False, False]
    with pytest.raises(ParameterError, match="exactly one row with area == 'Everyone'"):
        suppress_table(t, count_cols="n", totals={"row": ("area", "Everyone")}, by="cohort")


def test_measure_rows():
    m = pd.DataFrame({
        "measure": ["unique_nominals", "active_cohort", "idva_felt_safer_pct"],
        "value": [120.0, 7.0, 85.7], "n": [120, 7, 7], "numerator": [120, 7, 6],
        "denominator": [None, 9, 7], "ci_low": [None, None, 48.7], "ci_high": [None, None, 97.4],
        "definition": ["a", "b", "c"]})
    out, n = suppress_measures(m)
    assert n == 2
    for c in ("value", "n", "numerator", "denominator", "ci_low", "ci_high"):
        assert out[c].isna().tolist()[1:] == [True, True], c
    assert out.loc[0, "value"] == 120 and out.loc[0, "numerator"] == 120
    assert out["suppressed"].tolist() == [False, True, True]
    assert out["definition"].tolist() == ["a", "b", "c"]
    shown = display_table(out)
    assert shown.loc[1, "value"] == "[c]" and shown.loc[0, "value"] == 120
    assert "suppressed" not in shown.columns


def test_display_table_marks_hidden_cells():
    t = pd.DataFrame({"IOM": [25, 3, 40], "DVIOM": [12, 30, 18]})
    out, _ = suppress_table(t, count_cols=["IOM", "DVIOM"], totals="rows")
    shown = display_table(out)
    assert list(shown.columns) == ["IOM", "DVIOM"]
    assert shown["IOM"].tolist() == [25, "[c]", 40]


def test_bad_arguments():
    t = pd.DataFrame({"a": [1, 2], "b": [-1, 3], "s": ["x", "y"]})
    with pytest.raises(ParameterError, match="no column 'zz'"):
        suppress_table(t, count_cols=["zz"])
    with pytest.raises(ParameterError, match="negative"):
        suppress_table(t, count_cols=["b"])
    with pytest.raises(ParameterError, match="not numbers"):
        suppress_table(t, count_cols=["s"])
    with pytest.raises(ParameterError, match="min_cell"):
        suppress_table(t, count_cols=["a"], min_cell=0)
    with pytest.raises(ParameterError, match="totals"):
        suppress_table(t, count_cols=["a"], totals="diagonal")
    with pytest.raises(ParameterError, match="derived"):
        suppress_table(t, count_cols=["a"], derived={"s": "b"})


def test_missing_counts_are_left_alone():
    t = pd.DataFrame({"a": [None, 40, 30], "b": [15, 14, 25]})
    out, n = suppress_table(t, count_cols=["a", "b"])
    assert n == 0 and out["a_suppressed"].tolist() == [False] * 3


_CELL = st.sampled_from([0, 1, 2, 5, 9, 10, 12, 18, 25, 60, 150])


@given(st.integers(2, 5).flatmap(lambda c: st.lists(st.lists(_CELL, min_size=c, max_size=c),
                                                    min_size=2, max_size=5)))
def test_random_tables_are_protected(interior):
    t = with_margins(interior)
    cols = [c for c in t.columns if c != "total"]
    out, n = suppress_table(t, count_cols=cols, totals={"row": "Total", "column": "total"})
    grid = t[cols + ["total"]]
    small = (grid > 0) & (grid < 10)
    hidden = out[cols + ["total"]].isna()
    assert not (small & ~hidden).any().any()                   # every small count hidden
    assert int(hidden.sum().sum()) == n
    assert out.attrs["suppression"]["unprotected"] == []
    assert_protected(attack(out, t, cols))
    assert_protected(attack(out, t, cols, integer=True, zeros_shown=True))


# ------------------------------------------------------------------------------------------
# curves


def test_suppress_curve_hides_small_points_and_their_counts():
    curve = pd.DataFrame({"month": [-1, 0, 1, 2], "group": ["all"] * 4,
                          "mean": [2.0, 3.0, 1.5, 1.0], "ci_low": [1.5, 2.5, 1.0, 0.2],
                          "ci_high": [2.5, 3.5, 2.0, 1.8], "n_at_risk": [40, 25, 12, 8],
                          "n_people": [38, 9, 12, 8]})
    out = suppress_curve(curve)
    assert out["suppressed"].tolist() == [False, True, False, True]
    for c in ("mean", "ci_low", "ci_high", "n_at_risk", "n_people"):
        assert out[c].isna().tolist() == [False, True, False, True], c
    assert out["month"].tolist() == [-1, 0, 1, 2]
    assert out.attrs["suppression"] == {"min_cell": 10, "points_hidden": 2}
    out = suppress_curve(curve, min_cell=5, people_col=None)
    assert not out["suppressed"].any()
    with pytest.raises(ParameterError, match="n_col"):
        suppress_curve(curve, n_col="at_risk")


# ------------------------------------------------------------------------------------------
# what a stacked-share chart may draw


def test_fold_hidden_draws_visible_values_and_the_hidden_together():
    t = pd.DataFrame({"group": ["a", "a", "a", "a", "b", "b", "b", "c", "c"],
                      "cat": ["x", "y", "z", "T", "x", "y", "T", "x", "T"],
                      "n": [40, np.nan, np.nan, 60, 30, 25, 55, np.nan, np.nan]})
    shares, dropped = fold_hidden(t, group="group", category="cat", value="n", total="T")
    a = shares[shares["group"] == "a"].set_index("cat")["n"]
    assert a.to_dict() == {"x": 40.0, "suppressed [c]": 20.0}      # 60 - 40, y and z together
    b = shares[shares["group"] == "b"].set_index("cat")["n"]
    assert b.to_dict() == {"x": 30.0, "y": 25.0}                     # nothing hidden
    assert dropped == ["c"]                                          # total hidden
    with pytest.raises(ParameterError, match="total rows"):
        fold_hidden(t[t["cat"] != "T"], group="group", category="cat", value="n", total="T")


def test_relations_between_columns_protect_a_small_difference():
    """03: episodes adopted = compared + excluded; with 78 adopted published elsewhere, a
    visible 71 compared gives the 7 excluded away. As a relation, the 71 is hidden too."""
    t = pd.DataFrame({"months": [6, 12], "adopted": [78, 78], "n": [71, 63],
                      "excluded": [7, 15], "same": [12, 9], "down": [55, 51], "up": [4, 3]})
    out, _ = suppress_table(t, count_cols=["excluded", "same", "down", "up"],
                            totals={"relations": {"n": ["same", "down", "up"],
                                                  "adopted": ["n", "excluded"]}})
    assert out["excluded"].isna().tolist() == [True, False]
    assert out["n"].isna().tolist()[0] and not out["adopted"].isna().any()
    assert out.attrs["suppression"]["unprotected"] == []
    with pytest.raises(ParameterError, match="relations"):
        suppress_table(t, count_cols=["n"], totals={"relations": ["n"]})


def test_measures_complement_rule_hides_the_rate_and_its_group():
    t = pd.DataFrame({"measure": ["safer", "rate", "safer", "safer"],
                      "value": [86.2, 56.3, 48.5, 92.2], "numerator": [50, 58, 50, 95],
                      "denominator": [58, 103, 103, 103], "n": [58, 103, 103, 103]})
    out, _ = suppress_measures(t, count_cols=("n", "numerator", "denominator"),
                               together="measure", flags="columns")
    assert out["value"].isna().tolist() == [True, False, True, True]
    assert out["numerator"].isna().tolist() == [True, False, True, True]
    alone, _ = suppress_measures(t, count_cols=("n", "numerator", "denominator"))
    assert alone["value"].isna().tolist() == [True, False, False, True]
    off, _ = suppress_measures(t, count_cols=("n",), complement=False)
    assert not off["value"].isna().any()


def test_attrition_steps_hide_a_small_step_between_stages():
    """07: submitted, with follow-up, matched, analysed: each a subset of the one before."""
    from iomlib.sdc.suppress import suppress_steps
    t = pd.DataFrame({"stage": ["submitted", "complete", "matched", "analysed"],
                      "adopted": [764, 758, 81, 81], "comparison": [687, 320, 81, 75]})
    out, n = suppress_steps(t, count_cols=["adopted", "comparison"])
    assert out["adopted"].isna().tolist() == [False, True, False, False]
    assert out["comparison"].isna().tolist() == [False, False, False, True]
    assert n == 2
    for c in ("adopted", "comparison"):
        shown = out[c].dropna().astype(int).tolist()
        steps = [a - b for a, b in zip(shown, shown[1:])]
        assert all(s == 0 or s >= 10 for s in steps)


def test_cells_hidden_for_an_outside_reason_are_protected_too():
    """03, seed 3: compared over 6 months minus compared over 12 is small; the 12-month count
    is hidden (hide=), and must not be recoverable from adopted minus excluded."""
    from iomlib.sdc.intervals import cell_intervals
    from iomlib.sdc.suppress import _suppress
    t = pd.DataFrame({"months": [6, 12], "adopted": [80, 80], "n": [70, 64],
                      "excluded": [10, 16], "same": [20, 20], "down": [30, 24], "up": [20, 20]})
    out, _, pub = _suppress(t, count_cols=["excluded", "same", "down", "up"], min_cell=10,
                            totals={"relations": {"n": ["same", "down", "up"],
                                                  "adopted": ["n", "excluded"]}},
                            derived=None, by=None, suppress_zeros=False, flags="columns",
                            margin=None, hide={"n": [False, True]})
    assert out["n"].isna().tolist() == [False, True]
    cell = 1 * len(pub.columns) + pub.columns.index("n")
    low, high = cell_intervals(pub.values, pub.hidden, pub.lines)[cell]
    assert high - low >= 10
    with pytest.raises(ParameterError, match="hide"):
        _suppress(t, count_cols=["excluded"], min_cell=10, totals="none", derived=None,
                  by=None, suppress_zeros=False, flags=None, margin=None, hide={"zz": [True]})
