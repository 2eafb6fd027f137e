"""The attacker's interval (bounds) audit of a published table, and suppression that passes it.

A reader of a table with hidden cells knows more than the linear relations between cells
(:func:`iomlib.sdc.secondary.derivable_cells`): counts are whole and non-negative, and where zeros
are printed as ``0`` a hidden cell is at least 1. Two hidden cells of a row whose published cells
leave 2 are then both 1, although neither is a linear combination of the totals. Statistical
offices audit a suppression pattern as an attacker would (tau-ARGUS and R ``sdcTable`` call it
the attacker's problem; Hundepool et al., *Statistical Disclosure Control*, Wiley 2012, §4.3):
for every hidden cell, the smallest and largest value consistent with everything published,
found by (integer) linear programming.

:func:`cell_intervals` solves that problem with :func:`scipy.optimize.milp` (HiGHS);
:func:`unprotected` applies the protection margin (:class:`Margin`: by default a hidden cell
must not be pinned to one value and its interval must reach ``min_cell``, so that a reader
cannot tell it is small); :func:`protect_intervals` adds complementary cells, smallest first,
until every hidden cell passes.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from iomlib.sdc.secondary import _Line


@dataclass(frozen=True)
class Margin:
    """The protection a hidden cell needs against the interval attack.

    Parameters
    ----------
    min_cell : int
        The suppression threshold.
    upper : int or None, default None
        The interval's upper bound must reach at least this value (default ``min_cell``): a
        reader cannot tell the cell is below the threshold.
    width : int, default 1
        The interval must be at least this wide (``high - low``); 1 means "not pinned".
    """

    min_cell: int
    upper: int | None = None
    width: int = 1

    def protects(self, low: float, high: float) -> bool:
        """Whether an interval ``[low, high]`` protects a hidden cell."""
        upper = self.min_cell if self.upper is None else self.upper
        return high - low >= self.width - 1e-6 and high >= upper - 1e-6

    def describe(self) -> str:
        """The margin in words."""
        upper = self.min_cell if self.upper is None else self.upper
        return (f"a hidden count cannot be pinned (interval at least {self.width} wide) and "
                f"its largest possible value is at least {upper}")


def _system(values: np.ndarray, hidden: np.ndarray, lines: list[_Line]):
    """Equations ``A x = b`` over the hidden cells (``rhs`` from the true line totals)."""
    unknown = np.flatnonzero(hidden)
    col = {int(c): j for j, c in enumerate(unknown)}
    known = np.where(np.isnan(values), 0.0, values)
    rows, rhs = [], []
    for line in lines:
        r = np.zeros(len(unknown))
        b = 0.0   # the line's constant is published: its true sum minus the visible cells
        for c, a in zip(line.cells, line.coefs, strict=True):
            if c in col:
                r[col[c]] += a
                b += a * known[c]
        if r.any():
            rows.append(r)
            rhs.append(b)
    return unknown, (np.array(rows) if rows else np.zeros((0, len(unknown)))), np.array(rhs)


def cell_intervals(values: np.ndarray, hidden: np.ndarray, lines: list[_Line], *,
                   zeros_shown: bool = True, integer: bool = True,
                   cells=None) -> dict[int, tuple[float, float]]:
    """The smallest and largest value of each hidden cell consistent with what is published.

    Parameters
    ----------
    values : ndarray of float
        The true value of every cell (NaN where missing from the input: unknown to everyone).
    hidden : ndarray of bool
        Cells not shown (missing input values included).
    lines : list of _Line
        Published relations: ``sum(coef * cell)`` equals a published constant.
    zeros_shown : bool, default True
        Zeros are printed, so a hidden count (not a missing one) is at least 1.
    integer : bool, default True
        Counts are whole numbers (the attacker solves an integer programme).
    cells : iterable of int, optional
        The hidden cells to bound (default: every hidden cell with a value).

    Returns
    -------
    dict
        ``{cell: (low, high)}``; ``high`` is ``inf`` when nothing bounds the cell.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp
    hidden = np.asarray(hidden, dtype=bool)
    unknown, a, b = _system(values, hidden, lines)
    if cells is None:
        cells = [int(c) for c in unknown if not np.isnan(values[c])]
    if not len(unknown):
        return {}
    lb = np.array([1.0 if zeros_shown and not np.isnan(values[c]) else 0.0 for c in unknown])
    bounds = Bounds(lb, np.full(len(unknown), np.inf))
    cons = [LinearConstraint(a, b, b)] if len(a) else []
    integrality = np.ones(len(unknown)) if integer else np.zeros(len(unknown))
    pos = {int(c): j for j, c in enumerate(unknown)}
    out = {}
    for c in cells:
        e = np.zeros(len(unknown))
        e[pos[int(c)]] = 1.0
        ends = []
        for sign in (1.0, -1.0):
            res = milp(sign * e, constraints=cons, bounds=bounds, integrality=integrality)
            if res.status == 0:
                ends.append(sign * res.fun)
            elif sign < 0:            # unbounded above
                ends.append(np.inf)
            else:                     # pragma: no cover - the true values are feasible
                raise RuntimeError(f"interval audit: infeasible system ({res.message})")
        out[int(c)] = (float(round(ends[0], 6)), float(round(ends[1], 6)))
    return out


def unprotected(values: np.ndarray, hidden: np.ndarray, lines: list[_Line], margin: Margin, *,
                zeros_shown: bool = True, sensitive=None) -> dict[int, tuple[float, float]]:
    """Hidden cells the interval attack exposes: ``{cell: (low, high)}``.

    Parameters
    ----------
    values, hidden, lines
        As in :func:`cell_intervals`.
    margin : Margin
    zeros_shown : bool, default True
    sensitive : iterable of int, optional
        The cells that need protection (default: hidden cells whose value is below
        ``min_cell``, zeros included only when zeros are hidden too).

    Returns
    -------
    dict
    """
    hidden = np.asarray(hidden, dtype=bool)
    if sensitive is None:
        low = 1 if zeros_shown else 0
        sensitive = [int(c) for c in np.flatnonzero(hidden) if not np.isnan(values[c])
                     and low <= values[c] < margin.min_cell]
    sensitive = list(sensitive)
    if not sensitive:
        return {}
    iv = cell_intervals(values, hidden, lines, zeros_shown=zeros_shown, cells=sensitive)
    return {c: lh for c, lh in iv.items() if not margin.protects(*lh)}


def _candidates(cell: int, values: np.ndarray, hidden: np.ndarray, lines: list[_Line],
                zeros_shown: bool) -> list[int]:
    """Visible cells sharing a line with ``cell`` or with a hidden cell of those lines,
    smallest non-zero first (zeros last; never a zero when zeros are shown)."""
    near = set()
    frontier = {cell}
    for _ in range(2):
        nxt = set()
        for line in lines:
            if frontier & set(line.cells):
                near.update(line.cells)
                nxt.update(c for c in line.cells if hidden[c])
        frontier = nxt
    pool = [c for c in near if not hidden[c] and not np.isnan(values[c])
            and (values[c] != 0 or not zeros_shown)]
    return sorted(pool, key=lambda c: (values[c] == 0, values[c], c))


def _exposed(values, hidden, lines, margin: Margin, zeros_shown: bool, forced) -> dict:
    """Small hidden counts the attack exposes, and forced cells it narrows below ``min_cell``."""
    exposed = unprotected(values, hidden, lines, margin, zeros_shown=zeros_shown)
    if forced:
        wide = Margin(margin.min_cell, width=margin.min_cell)
        iv = cell_intervals(values, hidden, lines, zeros_shown=zeros_shown, cells=forced)
        exposed.update({c: lh for c, lh in iv.items() if not wide.protects(*lh)})
    return exposed


def protect_intervals(values: np.ndarray, hidden: np.ndarray, lines: list[_Line],
                      margin: Margin, *, zeros_shown: bool = True,
                      forced=()) -> tuple[int, list[int]]:
    """Hide further cells until the interval attack pins no small hidden count.

    For each exposed cell, the smallest visible cell near it (sharing a line with it or with
    a hidden cell of its lines) whose hiding protects it is hidden; when no single cell does,
    the smallest is hidden and the search goes on. ``hidden`` is changed in place.

    Parameters
    ----------
    values, hidden, lines, margin, zeros_shown
        As in :func:`unprotected`.
    forced : sequence of int
        Cells hidden for a reason outside the table (their difference from a count published
        elsewhere is small): their interval must be at least ``min_cell`` wide.

    Returns
    -------
    added : int
        Cells hidden.
    unprotectable : list of int
        Exposed cells left (no visible cell near them); a public audit fails on them.
    """
    added = 0
    given_up: set[int] = set()
    while True:
        exposed = {c: lh for c, lh in _exposed(values, hidden, lines, margin, zeros_shown,
                                               list(forced)).items()
                   if c not in given_up}
        if not exposed:
            return added, sorted(given_up)
        k = min(exposed)
        pool = _candidates(k, values, hidden, lines, zeros_shown)
        if not pool:
            given_up.add(k)
            continue
        chosen = pool[0]
        for c in pool[:12]:
            trial = hidden.copy()
            trial[c] = True
            lh = cell_intervals(values, trial, lines, zeros_shown=zeros_shown, cells=[k])[k]
            need = Margin(margin.min_cell, width=margin.min_cell) if k in forced else margin
            if need.protects(*lh):
                chosen = c
                break
        hidden[chosen] = True
        added += 1
