"""An independent attacker for the disclosure tests: re-solve a published table.

It writes down the equations a reader has (each row and column adds up to its total), treats the
hidden cells as unknowns and checks with linear algebra whether any of them is determined, and
with linear programming (non-negative counts) whether any is pinned to a single value. It shares
no code with :mod:`iomlib.sdc`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, linprog, milp


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
           implicit_totals: bool = False, integer: bool = False,
           zeros_shown: bool = False) -> dict:
    """For every hidden cell: is it determined (linear algebra) and its bounds (LP, x >= 0)?

    With ``implicit_totals`` the table has no margins in it, but every row's and column's true
    total is taken as published. With ``integer`` the attacker knows counts are whole numbers
    (branch and bound by ``scipy.optimize.milp``); with ``zeros_shown`` that a hidden count is
    at least 1 (zeros are printed).
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
        low = 1.0 if zeros_shown else 0.0
        for sign in (1, -1):
            if integer:
                cons = [LinearConstraint(a, b, b)] if len(a) else []
                res = milp(sign * e, constraints=cons, integrality=np.ones(len(hidden)),
                           bounds=Bounds(np.full(len(hidden), low), np.inf))
                assert res.status in (0, 3, 4), res.message
                bounds.append(sign * res.fun if res.status == 0 else np.inf)
                continue
            res = linprog(sign * e, A_eq=a if len(a) else None, b_eq=b if len(a) else None,
                          bounds=[(low, None)] * len(hidden), method="highs")
            assert res.status in (0, 3), res.message          # feasible (3: unbounded)
            bounds.append(sign * res.fun if res.status == 0 else np.inf)
        out[cell] = {"determined": bool(determined), "low": bounds[0], "high": bounds[1],
                     "true": float(truth.loc[cell[0], cell[1]])}
    return out


def assert_protected(report: dict, min_cell: int = 10) -> None:
    """Every small hidden count (1 to ``min_cell - 1``) is neither derivable nor pinned, and its
    largest possible value reaches ``min_cell``; a larger hidden cell (a complementary one) may
    be pinned, as it reveals no small count."""
    for cell, r in report.items():
        assert r["low"] - 1e-6 <= r["true"] <= r["high"] + 1e-6, (cell, r)
        if not 0 < r["true"] < min_cell:
            continue
        assert not r["determined"], f"{cell} can be derived from the published totals"
        assert r["high"] - r["low"] > 0.5, f"{cell} is pinned to {r['low']}"
        assert r["high"] >= min_cell - 1e-6, f"{cell} is known to be at most {r['high']}"


def hidden_cells(out: pd.DataFrame, cols: list[str]) -> set[tuple[str, str]]:
    return {(r, c) for r in out.index for c in cols if pd.isna(out.loc[r, c])}
