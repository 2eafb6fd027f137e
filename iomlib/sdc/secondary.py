"""Secondary (complementary) suppression on the linear relations a reader of a table sees.

A published table is a set of cells and *lines*: linear relations between cells whose constant
is published (a row adding up to its total). A hidden cell must not be recoverable from them.
:func:`iomlib.sdc.suppress.suppress_table` builds the cells and lines of a table; this module
hides complementary cells, first by the pairwise rule (no line with exactly one hidden cell),
then until the linear-algebra check :func:`derivable_cells` finds no hidden value determined.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class _Line:
    """One published linear relation: ``sum(coef * cell) = constant``, constant published.

    ``coefs`` is +1 for the cells that add up to a total and -1 for a total cell held in the
    table itself (then the constant is 0).
    """

    __slots__ = ("cells", "coefs")

    def __init__(self, cells: list[int], coefs: list[float]):
        self.cells = cells
        self.coefs = coefs


def _pick(cells: Sequence[int], values: np.ndarray, hidden: np.ndarray,
          zeros: bool = True) -> int | None:
    """The smallest visible cell of ``cells``, preferring non-zero counts; ``None`` if none.

    With ``zeros=False`` a zero is never picked: where zeros are printed, a reader knows every
    hidden count is at least 1, so hiding a zero would make the published table inconsistent
    with that (and protects nothing).
    """
    visible = [c for c in cells if not hidden[c] and not np.isnan(values[c])
               and (zeros or values[c] != 0)]
    if not visible:
        return None
    positive = [c for c in visible if values[c] > 0]
    pool = positive or visible
    return min(pool, key=lambda c: (values[c], c))


def _pairwise(values: np.ndarray, hidden: np.ndarray, lines: list[_Line],
              zeros: bool = True) -> int:
    """Hide one more cell in every line with exactly one hidden cell, until stable.

    ``hidden`` includes missing input values (NaN in ``values``): unknown to the reader, they
    protect the other unknowns of their line, but need no protection themselves.
    """
    added = 0
    changed = True
    while changed:
        changed = False
        for line in lines:
            unknown = [c for c in line.cells if hidden[c]]
            if len(unknown) != 1 or np.isnan(values[unknown[0]]):
                continue
            c = _pick(line.cells, values, hidden, zeros)
            if c is None:
                continue
            hidden[c] = True
            added += 1
            changed = True
    return added


def derivable_cells(hidden: np.ndarray, lines: list[_Line], tol: float = 1e-9) -> list[int]:
    """Hidden cells whose value the published cells and totals determine exactly.

    Parameters
    ----------
    hidden : ndarray of bool
        One entry per cell: hidden (unknown to the reader) or not.
    lines : list of _Line
        The published linear relations between cells.
    tol : float
        Numerical tolerance.

    Returns
    -------
    list of int
        Cell numbers. A hidden cell ``k`` is determined when the unit vector ``e_k`` lies in
        the row space of the relations restricted to the hidden cells, i.e. when every solution
        of the homogeneous system is zero at ``k``.
    """
    unknown = np.flatnonzero(hidden)
    if len(unknown) == 0:
        return []
    col = {c: j for j, c in enumerate(unknown)}
    rows = []
    for line in lines:
        r = np.zeros(len(unknown))
        for c, a in zip(line.cells, line.coefs, strict=True):
            if c in col:
                r[col[c]] += a
        if r.any():
            rows.append(r)
    if not rows:
        return []
    a = np.array(rows)
    _, s, vt = np.linalg.svd(a)
    rank = int((s > tol * max(1.0, s.max())).sum())
    null = vt[rank:]                          # orthonormal basis of the null space
    if null.shape[0] == 0:
        return [int(c) for c in unknown]
    weight = np.sqrt((null ** 2).sum(axis=0))
    return [int(unknown[j]) for j in np.flatnonzero(weight < 1e-7)]


def _protect(values: np.ndarray, hidden: np.ndarray, lines: list[_Line],
             zeros: bool = True) -> tuple[int, list[int]]:
    """Secondary suppression: pairwise rule, then extra cells until nothing is derivable.

    Returns the number of cells added and the hidden cells that could not be protected.
    ``zeros=False``: never hide a zero (zeros are printed).
    """
    added = _pairwise(values, hidden, lines, zeros)
    unprotectable: set[int] = set()
    lines_of: dict[int, list[_Line]] = {}
    for line in lines:
        for c in line.cells:
            lines_of.setdefault(c, []).append(line)
    while True:
        exposed = [c for c in derivable_cells(hidden, lines)
                   if c not in unprotectable and not np.isnan(values[c])]
        if not exposed:
            break
        k = exposed[0]
        pool = sorted({c for line in lines_of.get(k, []) for c in line.cells})
        c = _pick(pool, values, hidden, zeros)
        if c is None:           # every cell it shares a line with is hidden already
            unprotectable.add(k)
            continue
        hidden[c] = True
        added += 1 + _pairwise(values, hidden, lines, zeros)
    return added, sorted(unprotectable)
