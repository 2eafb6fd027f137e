"""Tests of iomlib.sdc.policy: small-cell suppression, pseudonyms, identifier scans, banners.

The suppression tests re-solve every published table independently of the module: they write
down the equations a reader has (each row and column adds up to its total), treat the hidden
cells as unknowns and check with linear algebra that none of them is determined, and with linear
programming (non-negative counts) that none is pinned to a single value.
"""
from __future__ import annotations

import hashlib
import hmac
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import linprog

from iomlib.errors import ParameterError
from iomlib.sdc.policy import (
    banner,
    derivable_cells,
    display_table,
    pseudonymise,
    scan_for_identifiers,
    suppress_curve,
    suppress_measures,
    suppress_table,
)

# ------------------------------------------------------------------------------------------
# an independent attacker: re-solve the published table


def with_margins(interior: list[list[int]]) -> pd.DataFrame:
    """A cross-tabulation with a ``total`` column and a ``Total`` row."""
    v = np.array(interior)
    cols = [f"c{j}" for j in range(v.shape[1])]
    df = pd.DataFrame(v, columns=cols, index=[f"r{i}" for i in range(v.shape[0])])
    df["total"] = df.sum(axis=1)
    totals = df.sum().to_frame().T
    totals.index = ["Total"]
    return pd.concat([df, totals])


def reader_equations(published: pd.DataFrame, cols: list[str], total_col: str | None,
                     total_row: str | None):
    """The relations a reader sees, over the full grid ``published.loc[:, cols (+ total)]``.

    Returns (grid of values with NaN for hidden, list of equations as (cells, coefs, rhs)),
    where a cell is (row label, column) and rhs is the published constant (for margins held
    outside the table ``rhs`` is None: not published).
    """
    grid_cols = cols + ([total_col] if total_col else [])
    inner_rows = [r for r in published.index if r != total_row]
    eqs = []
    if total_col:
        for r in published.index:
            eqs.append(([(r, c) for c in cols] + [(r, total_col)], [1] * len(cols) + [-1]))
    if total_row:
        for c in grid_cols:
            eqs.append(([(r, c) for r in inner_rows] + [(total_row, c)],
                        [1] * len(inner_rows) + [-1]))
    return grid_cols, eqs


def attack(published: pd.DataFrame, truth: pd.DataFrame, cols: list[str], *,
           total_col: str | None = "total", total_row: str | None = "Total",
           implicit_totals: bool = False) -> dict:
    """For every hidden cell: is it determined (linear algebra) and its bounds (LP, x >= 0)?

    With ``implicit_totals`` the table has no margins in it, but every row's and column's true
    total is taken as published.
    """
    if implicit_totals:
        eqs = []
        for r in published.index:
            eqs.append(([(r, c) for c in cols], [1] * len(cols), float(truth.loc[r, cols].sum())))
        for c in cols:
            eqs.append(([(r, c) for r in published.index], [1] * len(published),
                        float(truth[c].sum())))
    else:
        _, raw = reader_equations(published, cols, total_col, total_row)
        eqs = [(cells, coefs, 0.0) for cells, coefs in raw]
    hidden = sorted({cell for cells, _, _ in eqs for cell in cells
                     if pd.isna(published.loc[cell[0], cell[1]])})
    if not hidden:
        return {}
    ix = {cell: k for k, cell in enumerate(hidden)}
    a_rows, b = [], []
    for cells, coefs, rhs in eqs:
        row = np.zeros(len(hidden))
        const = rhs
        for cell, coef in zip(cells, coefs, strict=True):
            v = published.loc[cell[0], cell[1]]
            if cell in ix:
                row[ix[cell]] += coef
            else:
                const -= coef * float(v)
        if row.any():
            a_rows.append(row)
            b.append(const)
    a = np.array(a_rows) if a_rows else np.zeros((0, len(hidden)))
    rank = np.linalg.matrix_rank(a) if len(a) else 0
    out = {}
    for cell, k in ix.items():
        e = np.zeros(len(hidden))
        e[k] = 1
        determined = len(a) > 0 and np.linalg.matrix_rank(np.vstack([a, e])) == rank
        bounds = []
        for sign in (1, -1):
            res = linprog(sign * e, A_eq=a if len(a) else None, b_eq=b if len(a) else None,
                          bounds=[(0, None)] * len(hidden), method="highs")
            assert res.status in (0, 3), res.message          # feasible (3: unbounded)
            bounds.append(sign * res.fun if res.status == 0 else np.inf)
        out[cell] = {"determined": bool(determined), "low": bounds[0], "high": bounds[1],
                     "true": float(truth.loc[cell[0], cell[1]])}
    return out


def assert_protected(report: dict) -> None:
    for cell, r in report.items():
        assert not r["determined"], f"{cell} can be derived from the published totals"
        assert r["low"] - 1e-6 <= r["true"] <= r["high"] + 1e-6, (cell, r)
        assert r["high"] - r["low"] > 0.5, f"{cell} is pinned to {r['low']}"


def hidden_cells(out: pd.DataFrame, cols: list[str]) -> set[tuple[str, str]]:
    return {(r, c) for r in out.index for c in cols if pd.isna(out.loc[r, c])}


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


def test_derivable_cells_finds_the_bridge():
    # cells 0..3 form a cycle, so do 5..8; cell 4 links them (two lines each side)
    from iomlib.sdc.policy import _Line
    lines = [_Line([0, 1, 4], [1, 1, 1]), _Line([2, 3], [1, 1]), _Line([0, 2], [1, 1]),
             _Line([1, 3], [1, 1]), _Line([4, 5, 6], [1, 1, 1]), _Line([7, 8], [1, 1]),
             _Line([5, 7], [1, 1]), _Line([6, 8], [1, 1])]
    hidden = np.ones(9, dtype=bool)
    assert derivable_cells(hidden, lines) == [4]
    hidden[4] = False
    assert derivable_cells(hidden, lines) == []


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
# pseudonyms


def test_pseudonyms_are_keyed_and_stable():
    expect = "N-" + hmac.new(b"s3cret", b"P0001", hashlib.sha256).hexdigest()[:10]
    assert pseudonymise("P0001", "s3cret") == expect
    assert pseudonymise("P0001", b"s3cret") == expect
    assert pseudonymise("P0001", "s3cret") == pseudonymise("P0001", "s3cret")
    assert pseudonymise("P0001", "other key") != expect
    assert pseudonymise("P0002", "s3cret") != expect
    assert re.fullmatch(r"N-[0-9a-f]{10}", expect)
    assert pseudonymise("S1", "k", prefix="S-", length=8).startswith("S-")
    assert len(pseudonymise("S1", "k", prefix="S-", length=8)) == 10


def test_pseudonymise_keeps_shape_and_missing_values():
    s = pd.Series(["P1", None, "P2", "P1"], index=[10, 11, 12, 13])
    out = pseudonymise(s, "k")
    assert list(out.index) == [10, 11, 12, 13]
    assert out.iloc[0] == out.iloc[3] == pseudonymise("P1", "k") and out.iloc[1] is None
    assert pseudonymise(["P1", "P2"], "k") == [pseudonymise("P1", "k"), pseudonymise("P2", "k")]
    many = pseudonymise([f"P{i:06d}" for i in range(20_000)], "k")
    assert len(set(many)) == 20_000


def test_pseudonymise_refuses_bad_keys_and_collisions():
    with pytest.raises(ParameterError, match="key"):
        pseudonymise("P1", "")
    with pytest.raises(ParameterError, match="length"):
        pseudonymise("P1", "k", length=2)
    with pytest.raises(ParameterError, match="same pseudonym"):
        pseudonymise([f"P{i}" for i in range(2000)], "k", length=4)   # 16 bits: collides


# ------------------------------------------------------------------------------------------
# identifier scans


def test_scan_finds_whole_identifiers_only():
    ids = ["P0001", "P0002", "P0003", "S1", "O-17", "P0004"]
    text = ("<td>P0001</td> P00012 xP0003 P0002-P0003, survivor S1. case O-17; "
            "<img src='data:image/png;base64,AAAA+P0004/BBBB'>")
    assert scan_for_identifiers(text, ids) == {"P0001", "P0002", "P0003", "S1", "O-17"}
    assert scan_for_identifiers(text, ids, ignore_data_uris=False) >= {"P0004"}
    assert scan_for_identifiers("nothing here", ids) == set()
    assert scan_for_identifiers("", ids) == set()
    assert scan_for_identifiers("P0001", []) == set()


def test_scan_handles_many_identifiers_and_a_big_text():
    # correctness at the scale of a national report; speed is not timed here
    ids = [f"P{i:06d}" for i in range(100_000)]
    text = " ".join(f"row {i} value {i * 7 % 1000}" for i in range(100_000)) + " P054321 "
    found = scan_for_identifiers(text, ids)
    assert found == {"P054321"}


# ------------------------------------------------------------------------------------------
# banners


def test_banners():
    text = banner("public")
    assert text.startswith("OFFICIAL — PUBLIC")
    assert "resting on 1 to 9 people is suppressed ([c])" in text
    assert "curve points on fewer than 10 people" in text and "no identifiers" in text
    assert "1 to 4 people" in banner("public", 5)
    assert banner("restricted").startswith("OFFICIAL-SENSITIVE — RESTRICTED")
    assert "keyed pseudonyms" in banner("restricted")
    assert "real identifiers" in banner("restricted", show_identifiers=True)
    with pytest.raises(ParameterError, match="public, restricted"):
        banner("everyone")


# ------------------------------------------------------------------------------------------
# the Disclosure rules object used by every notebook

from iomlib.sdc.policy import (
    IDENTIFIER_COLUMNS,
    KEY_ENV,
    KEY_FILE_ENV,
    WITHHELD_MARKER,
    Disclosure,
    new_key_file,
    pseudonym_key,
)


def test_public_table_hides_small_cells_and_is_protected():
    truth = with_margins([[25, 3, 40], [12, 30, 18], [22, 15, 31]])
    sdc = Disclosure("public", min_cell=10)
    out = sdc.table(truth, count_cols=["c0", "c1", "c2"],
                    totals={"column": "total", "row": "Total"})
    assert pd.isna(out.loc["r0", "c1"])                      # the 3
    meta = out.attrs["disclosure"]
    assert (meta["audience"], meta["min_cell"], meta["kind"]) == ("public", 10, "table")
    assert meta["smallest_count_shown"] >= 10 and meta["cells_hidden"] >= 2
    assert_protected(attack(out, truth, ["c0", "c1", "c2"]))
    shown = sdc.for_display(out)
    assert shown.loc["r0", "c1"] == "[c]"
    assert not any(c.endswith("_suppressed") for c in shown.columns)
    assert "disclosure" in shown.attrs
    log = sdc.summary().iloc[-1]
    assert log["cells_hidden"] >= 2 and log["smallest_count_shown"] >= 10


def test_restricted_table_is_unsuppressed_but_pseudonymised():
    t = pd.DataFrame({"person_id": ["P1", "P2", "P1"], "episode_id": ["E1", "E2", "E3"],
                      "n": [1, 2, 3]})
    sdc = Disclosure("restricted", key="k")
    out = sdc.table(t, count_cols="n")
    assert out["n"].tolist() == [1, 2, 3]
    assert out["person_id"].tolist() == pseudonymise(["P1", "P2", "P1"], "k", prefix="N-")
    assert out["episode_id"].str.startswith("E-").all() and "E1" not in out["episode_id"].values
    assert t["person_id"].tolist() == ["P1", "P2", "P1"]     # input untouched
    shown = Disclosure("restricted", key="k", show_identifiers=True).table(t, count_cols="n")
    assert shown["person_id"].tolist() == ["P1", "P2", "P1"]


def test_identifier_index_is_pseudonymised_too():
    t = pd.DataFrame({"n": [4, 5]}, index=pd.Index(["P1", "P2"], name="person_id"))
    out = Disclosure("restricted", key="k").table(t, count_cols="n")
    assert list(out.index) == pseudonymise(["P1", "P2"], "k", prefix="N-")


def test_public_refuses_identifiers_and_unexplained_tables():
    sdc = Disclosure("public")
    with pytest.raises(ParameterError, match="identifier column.*person_id"):
        sdc.table(pd.DataFrame({"person_id": ["P1"], "n": [20]}), count_cols="n")
    with pytest.raises(ParameterError, match="count_cols.*rests_on"):
        sdc.table(pd.DataFrame({"x": [1.0]}))
    with pytest.raises(ParameterError, match="public report cannot show a person_id"):
        sdc.identifier("P1")
    with pytest.raises(ParameterError, match="show_identifiers"):
        Disclosure("public", show_identifiers=True)
    with pytest.raises(ParameterError, match="audience='everyone'"):
        Disclosure("everyone")
    with pytest.raises(ParameterError, match="min_cell"):
        Disclosure("public", min_cell=0)


def test_rests_on_hides_a_small_group_entirely():
    est = pd.DataFrame({"term": ["age", "sex"], "smd": [0.05, -0.02], "ok": [True, True]})
    sdc = Disclosure("public", min_cell=10)
    small = sdc.table(est, rests_on=6)
    assert small["smd"].isna().all() and small["term"].tolist() == ["age", "sex"]
    assert small["ok"].tolist() == [True, True]               # booleans are not figures
    assert est["smd"].notna().all()                            # the input is not changed
    big = sdc.table(est, rests_on=60)
    assert big["smd"].tolist() == [0.05, -0.02]


def test_measures_and_curves_through_the_rules():
    m = pd.DataFrame({"measure": ["a", "b"], "value": [50.0, 80.0], "n": [40, 6],
                      "numerator": [20, 5], "ci_low": [35.0, 40.0], "ci_high": [65.0, 96.0]})
    out = Disclosure("public").measures(m, count_cols=("n", "numerator"))
    assert out.loc[0, "value"] == 50.0
    assert out.loc[1, ["value", "n", "numerator", "ci_low", "ci_high"]].isna().all()
    curve = pd.DataFrame({"month": [0, 1, 2], "mean": [5.0, 4.0, 3.0], "n_at_risk": [30, 12, 9]})
    c = Disclosure("public").curve(curve)
    assert c["mean"].isna().tolist() == [False, False, True]
    r = Disclosure("restricted", key="k").curve(curve)
    assert r["mean"].tolist() == [5.0, 4.0, 3.0]


def test_counts_in_text():
    pub, res = Disclosure("public", min_cell=10), Disclosure("restricted", key="k")
    assert pub.count(3, "people") == "fewer than 10 people"
    assert pub.count(0) == "0" and pub.count(1234) == "1,234"
    assert res.count(3) == "3"
    assert pub.is_small(9) and not pub.is_small(10) and not pub.is_small(0)
    assert not res.is_small(3)
    assert res.identifier("P1") == pseudonymise("P1", "k", prefix="N-")
    assert res.identifier("S9", "survivor_id").startswith("S-")


def test_for_display_refuses_unchecked_tables():
    with pytest.raises(ParameterError, match="Disclosure.table"):
        Disclosure("public").for_display(pd.DataFrame({"n": [1]}))


def test_guard_withholds_unchecked_tables_in_a_public_shell():
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance()
    try:
        fmt = shell.display_formatter
        raw = pd.DataFrame({"n": [3]})
        assert Disclosure("restricted", key="k").guard(shell) is False
        assert "withheld" not in fmt.format(raw)[0]["text/html"]
        sdc = Disclosure("public")
        assert sdc.guard(shell) is True
        data, _ = fmt.format(raw)
        assert WITHHELD_MARKER in data["text/html"] and "3" not in data["text/plain"]
        assert WITHHELD_MARKER in fmt.format(raw["n"])[0]["text/html"]
        checked = sdc.for_display(sdc.table(pd.DataFrame({"n": [3, 40]}), count_cols="n"))
        data, meta = fmt.format(checked)
        assert WITHHELD_MARKER not in data["text/html"]
        audit = meta["text/html"]["iom_disclosure"]
        assert audit["smallest_count_shown"] == 40 and audit["cells_hidden"] == 1
        assert "[c]" in data["text/html"] and "40" in data["text/html"]
    finally:
        for kind in (pd.DataFrame, pd.Series):
            for mime in ("text/html", "text/plain"):
                shell.display_formatter.formatters[mime].pop(kind, None)
        InteractiveShell.clear_instance()


def test_key_from_environment_and_key_file(tmp_path):
    assert pseudonym_key({KEY_ENV: "abc"}) == (b"abc", f"the environment variable {KEY_ENV}")
    path = new_key_file(tmp_path / "sub" / ".pseudonym-key")
    assert (path.stat().st_mode & 0o777) == 0o600
    key = path.read_bytes().strip()
    assert len(key) == 64
    assert new_key_file(path).read_bytes().strip() == key          # never replaced
    got, source = pseudonym_key({KEY_FILE_ENV: str(path)})
    assert got == key and KEY_FILE_ENV in source
    assert pseudonym_key({}) [0] is None
    with pytest.raises(ParameterError, match="cannot read"):
        pseudonym_key({KEY_FILE_ENV: str(tmp_path / "missing")})
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(ParameterError, match="empty"):
        pseudonym_key({KEY_FILE_ENV: str(tmp_path / "empty")})


def test_pseudonyms_are_stable_across_objects_with_the_same_key(monkeypatch, tmp_path):
    path = new_key_file(tmp_path / ".pseudonym-key")
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.setenv(KEY_FILE_ENV, str(path))
    a, b = Disclosure("restricted"), Disclosure("restricted")
    assert a.identifier("P0001") == b.identifier("P0001")
    monkeypatch.delenv(KEY_FILE_ENV)
    c, d = Disclosure("restricted"), Disclosure("restricted")   # session keys: unrelated
    assert c.identifier("P0001") != d.identifier("P0001")
    assert "this session only" in c.key_source_
    assert set(IDENTIFIER_COLUMNS) >= {"person_id", "survivor_id", "offence_id", "victim_id"}


def test_headline_metrics_for_a_public_audience():
    from iomlib.sdc.policy import suppress_headline
    metrics = {
        "unique_nominals": {"value": 7, "n": 7, "alternatives": [{"value": 9, "n": 9}]},
        "felt_safer_pct": {"value": 80.0, "n": 20, "numerator": 16, "denominator": 20,
                           "ci_low": 60.0, "ci_high": 91.0, "alternatives": []},
        "removed_reduction_pct": {"value": 70.0, "n": 4, "ci_low": 1.0, "ci_high": 99.0,
                                  "alternatives": [{"value": 50.0, "n": 30}]},
        "impact": {"value": 0.1, "estimate": 0.1, "n": 500, "n_treated": 3, "n_control": 497},
        "as_of": "2020-01-31",
    }
    out = suppress_headline(metrics, 10, count_keys=["unique_nominals"])
    assert out["unique_nominals"]["value"] is None and out["unique_nominals"]["suppressed"]
    assert out["unique_nominals"]["alternatives"][0]["value"] is None
    assert out["felt_safer_pct"] == metrics["felt_safer_pct"]          # nothing small
    r = out["removed_reduction_pct"]
    assert r["value"] is None and r["ci_low"] is None and r["n"] is None and r["suppressed"]
    assert r["alternatives"][0]["value"] == 50.0                       # 30 episodes: shown
    assert out["impact"]["estimate"] is None and out["impact"]["n_treated"] is None
    assert out["impact"]["n_control"] == 497 and out["as_of"] == "2020-01-31"
    assert metrics["removed_reduction_pct"]["value"] == 70.0           # input untouched
    small_numerator = suppress_headline({"k": {"value": 95.0, "n": 40, "numerator": 38,
                                               "denominator": 40}}, 10)
    assert small_numerator["k"]["value"] == 95.0   # 38 of 40: no count below 10
    few_unsafe = suppress_headline({"k": {"value": 5.0, "n": 40, "numerator": 2}}, 10)
    assert few_unsafe["k"]["value"] is None


def test_audit_notebook_finds_every_kind_of_problem():
    from iomlib.sdc.policy import audit_notebook

    def out(html, check=None, kind="display_data"):
        o = {"output_type": kind, "data": {"text/html": html, "text/plain": "x"},
             "metadata": {}}
        if check is not None:
            o["metadata"]["text/html"] = {"iom_disclosure": check}
        return o

    good = {"audience": "public", "min_cell": 10, "smallest_count_shown": 12.0,
            "count_columns": ["n"]}
    nb = {"cells": [
        {"cell_type": "markdown", "source": "<table></table> in prose is fine"},
        {"cell_type": "code", "outputs": [out("<table>ok</table>", good)]},
        {"cell_type": "code", "outputs": [out(f"<p class='{WITHHELD_MARKER}'>...</p>")]},
        {"cell_type": "code", "outputs": [out("<table>raw</table>", kind="execute_result")]},
        {"cell_type": "code", "outputs": [out("<table>t</table>",
                                              {**good, "smallest_count_shown": 3.0})]},
        {"cell_type": "code", "outputs": [out("<table>t</table>",
                                              {**good, "audience": "restricted"})]},
        {"cell_type": "code", "outputs": [{"output_type": "stream", "text": "n = 3"}]},
    ]}
    problems = audit_notebook(nb, 10)
    assert len(problems) == 4
    assert problems[0].startswith("cell 3: a table was withheld")
    assert problems[1] == "cell 4: a table without a disclosure check"
    assert problems[2].startswith("cell 5: a table shows a count of 3")
    assert problems[3].startswith("cell 6: a table checked for audience 'restricted'")
    assert audit_notebook({"cells": nb["cells"][:2]}, 10) == []
    assert audit_notebook({"cells": nb["cells"][:2]}, 20)[0].startswith("cell 2:")


def test_combine_marks_joins_of_checked_tables_only():
    sdc = Disclosure("public", min_cell=10)
    a = sdc.table(pd.DataFrame({"x": [40, 3, 25]}), count_cols="x")
    b = sdc.table(pd.DataFrame({"y": [12, 50, 4]}), count_cols="y")
    both = sdc.combine(a.join(b), a, b)
    check = both.attrs["disclosure"]
    assert check["kind"] == "combined" and check["count_columns"] == ["x", "y"]
    assert check["cells_hidden"] == 2 and check["smallest_count_shown"] == 12
    with pytest.raises(ParameterError, match="source 2 was not checked"):
        sdc.combine(a.join(pd.DataFrame({"z": [1, 2, 3]})), a, pd.DataFrame({"z": [1, 2, 3]}))
    with pytest.raises(ParameterError, match="source 1 was not checked"):
        Disclosure("public", min_cell=20).combine(a.copy(), a)
    with pytest.raises(ParameterError, match="name the checked tables"):
        sdc.combine(a.copy())


def test_fold_hidden_draws_visible_values_and_the_hidden_together():
    from iomlib.sdc.policy import fold_hidden
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


def test_figures_in_text():
    pub = Disclosure("public", min_cell=10)
    assert pub.figure(0.1234, ".0%", 500, 4) == "[c]"
    assert pub.figure(0.1234, ".0%", 500, 40) == "12%"
    assert Disclosure("restricted", key="k").figure(2.5, ".1f", 3) == "2.5"
