"""Statistical disclosure control for reports: small-cell suppression, pseudonyms, checks.

A *public* report must not let a reader learn anything about a handful of identifiable people.
Following the ONS Secure Research Service and UK LLC practice (see ``methods-notes.md`` §4,
"Disclosure control"), this module applies a threshold rule with a configurable ``min_cell``
(default 10):

Primary suppression
    Every count of **1 to** ``min_cell - 1`` people is hidden, together with every figure derived
    from it (a rate, percentage, mean or confidence limit computed on that count). Zero counts
    are shown by default: a zero describes nobody (pass ``suppress_zeros=True`` to hide them as
    well, e.g. where "nobody in this group" would itself be disclosive).
Secondary (complementary) suppression
    Where totals are published, a single hidden cell of a row or column could be recovered by
    subtraction. So in every row or column (every *line*: a set of cells summing to a published
    total) that has exactly one hidden cell, the smallest other cell is hidden too -- the
    smallest non-zero one where there is one, because hiding a zero protects nothing --, and this
    is repeated until no line has exactly one hidden cell. Because "two hidden cells per line" is
    not always enough (a hidden cell can still be recovered by combining several rows and
    columns), the pattern is then checked by linear algebra: any hidden cell whose value is
    implied by the published cells and totals gets one more complementary cell, until no hidden
    value can be derived exactly.

What it does not cover: a rate or percentage is hidden when its numerator or denominator is
small, not when its complement is (86% of 58 survivors felt safer implies that 8 did not); and
suppression is applied table by table, so a difference *between* tables (adoptions published in
one, the episodes compared in another) can still give a small administrative count. Review such
pairs before publishing.

The rule is a sound default but not a published MoJ or Home Office standard: confirm it with the
data owner (the force or PCC) before publishing.

Also here: :class:`Disclosure` (the rules of one report, through which every notebook table and
plotted series passes), :func:`suppress_headline` (``metrics.json``), :func:`audit_notebook`
(the runner's check of an executed notebook before a public run is published),
:func:`pseudonymise` (keyed, stable pseudonyms for restricted reports),
:func:`scan_for_identifiers` (which identifiers appear in an output file) and :func:`banner`
(the protective-marking line of a report).
"""
from __future__ import annotations

import hashlib
import hmac
import html
import os
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from iomlib.errors import ParameterError

AUDIENCES = ("public", "restricted")
DEFAULT_MIN_CELL = 10
#: The symbol ONS tables use for a confidential (suppressed) cell.
SUPPRESSED_SYMBOL = "[c]"
MEASURE_DERIVED = ("value", "ci_low", "ci_high", "numerator", "denominator")
CURVE_VALUES = ("mean", "ci_low", "ci_high")

#: Identifier columns of the data model and the prefix of their pseudonyms.
IDENTIFIER_COLUMNS = {"person_id": "N-", "survivor_id": "S-", "offence_id": "O-",
                      "victim_id": "V-", "episode_id": "E-"}
#: Environment variables holding the pseudonym key, or the path of a file holding it.
KEY_ENV = "IOM_PSEUDONYM_KEY"
KEY_FILE_ENV = "IOM_PSEUDONYM_KEY_FILE"
#: The notice shown in place of a table that did not pass through disclosure control.
WITHHELD_MARKER = "iom-withheld"

_TOTALS_MODES = {None: (True, True), "both": (True, True), "rows": (True, False),
                 "columns": (False, True), "none": (False, False), False: (False, False)}


# --------------------------------------------------------------------------------------------
# helpers


def _check_min_cell(min_cell) -> int:
    if isinstance(min_cell, bool) or not isinstance(min_cell, (int, np.integer)) or min_cell < 1:
        raise ParameterError(f"min_cell={min_cell!r}: expected a whole number of at least 1")
    return int(min_cell)


def _as_list(cols, what: str) -> list[str]:
    if cols is None:
        return []
    if isinstance(cols, str):
        return [cols]
    try:
        return list(cols)
    except TypeError:
        raise ParameterError(f"{what}={cols!r}: expected a column name or a list of names") \
            from None


def _need_columns(df: pd.DataFrame, cols: Iterable[str], what: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ParameterError(f"{what}: no column {', '.join(map(repr, missing))} in the table; "
                             f"columns: {', '.join(map(str, df.columns))}")


def _counts(df: pd.DataFrame, col: str) -> np.ndarray:
    """A count column as float (NaN where missing); negative or non-numeric values are refused."""
    try:
        v = pd.to_numeric(df[col], errors="raise").astype(float).to_numpy()
    except (TypeError, ValueError):
        raise ParameterError(f"count column {col!r} holds values that are not numbers") from None
    if (v[~np.isnan(v)] < 0).any():
        raise ParameterError(f"count column {col!r} holds negative values; expected counts")
    return v


def _hide(s: pd.Series, mask: np.ndarray) -> pd.Series:
    """``s`` with the values at ``mask`` (positional) set missing; integer columns become Int64."""
    if not mask.any():
        return s
    if pd.api.types.is_bool_dtype(s):
        s = s.astype("boolean")
    elif pd.api.types.is_integer_dtype(s):
        s = s.astype("Int64")
    elif not (pd.api.types.is_float_dtype(s) or isinstance(s.dtype, pd.DatetimeTZDtype)
              or pd.api.types.is_datetime64_any_dtype(s)):
        s = s.astype(object)
    return s.mask(pd.Series(mask, index=s.index))


# --------------------------------------------------------------------------------------------
# the suppression engine: cells, lines (linear relations), pairwise rule and exact-recovery check


class _Line:
    """One published linear relation: ``sum(coef * cell) = constant``, constant published.

    ``coefs`` is +1 for the cells that add up to a total and -1 for a total cell held in the
    table itself (then the constant is 0).
    """

    __slots__ = ("cells", "coefs")

    def __init__(self, cells: list[int], coefs: list[float]):
        self.cells = cells
        self.coefs = coefs


def _pick(cells: Sequence[int], values: np.ndarray, hidden: np.ndarray) -> int | None:
    """The smallest visible cell of ``cells``, preferring non-zero counts; ``None`` if none."""
    visible = [c for c in cells if not hidden[c] and not np.isnan(values[c])]
    if not visible:
        return None
    positive = [c for c in visible if values[c] > 0]
    pool = positive or visible
    return min(pool, key=lambda c: (values[c], c))


def _pairwise(values: np.ndarray, hidden: np.ndarray, lines: list[_Line]) -> int:
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
            c = _pick(line.cells, values, hidden)
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


def _protect(values: np.ndarray, hidden: np.ndarray, lines: list[_Line]) -> tuple[int, list[int]]:
    """Secondary suppression: pairwise rule, then extra cells until nothing is derivable.

    Returns the number of cells added and the hidden cells that could not be protected.
    """
    added = _pairwise(values, hidden, lines)
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
        c = _pick(pool, values, hidden)
        if c is None:           # every cell it shares a line with is hidden already
            unprotectable.add(k)
            continue
        hidden[c] = True
        added += 1 + _pairwise(values, hidden, lines)
    return added, sorted(unprotectable)


# --------------------------------------------------------------------------------------------
# tables


def _row_groups(df: pd.DataFrame, by: list[str]) -> list[np.ndarray]:
    if not by:
        return [np.arange(len(df))]
    keys = df[by].astype(object).where(df[by].notna(), "\0<NA>")
    codes = keys.groupby(by, sort=False).ngroup().to_numpy()
    return [np.flatnonzero(codes == g) for g in range(codes.max() + 1)] if len(df) else []


def _total_rows(df: pd.DataFrame, spec, group: np.ndarray) -> int:
    """Position of the total row within a group of rows, from an index label or (col, value)."""
    if isinstance(spec, tuple) and len(spec) == 2 and spec[0] in df.columns:
        match = df[spec[0]].to_numpy()[group] == spec[1]
        what = f"{spec[0]} == {spec[1]!r}"
    else:
        match = np.asarray(df.index[group] == spec, dtype=bool)
        what = f"index label {spec!r}"
    found = group[match]
    if len(found) != 1:
        raise ParameterError(f"totals row: expected exactly one row with {what} in each group, "
                             f"found {len(found)}")
    return int(found[0])


def suppress_table(df: pd.DataFrame, *, count_cols, min_cell: int = DEFAULT_MIN_CELL,
                   totals=None, derived: Mapping[str, str | Sequence[str]] | None = None,
                   by=None, suppress_zeros: bool = False,
                   flags: str | None = "columns") -> tuple[pd.DataFrame, int]:
    """Primary and secondary small-cell suppression of a table of counts.

    Parameters
    ----------
    df : DataFrame
        The table. A wide cross-tabulation (one count column per category, one row per
        category of the other variable, optionally with margins), or a long table with one
        count column (``by`` then says which rows add up to a published total).
    count_cols : str or list of str
        The columns holding counts of people. In a cross-tabulation these are the category
        columns (not the total column; see ``totals``).
    min_cell : int, default 10
        Counts from 1 to ``min_cell - 1`` are hidden (primary suppression).
    totals : None, str, False or dict, default None
        Which totals a reader can see, i.e. which relations secondary suppression must protect:

        * ``None`` or ``"both"``: the table has no margins in it, but row totals (the sum of
          each row's ``count_cols``) and column totals (the sum of each count column, within each
          ``by`` group) are published or derivable -- the conservative default for a
          cross-tabulation;
        * ``"rows"`` or ``"columns"``: only those totals are published;
        * ``False`` or ``"none"``: the counts are not additive (e.g. one row per measure):
          primary suppression only;
        * a dict with the margins held in the table: ``{"column": name}`` for the column of row
          totals and/or ``{"row": label}`` for the row of column totals (an index label, or a
          ``(column, value)`` pair such as ``("area", "All areas")``; one per ``by`` group). The
          margin cells are counts too (a small total is itself hidden). A margin not named in the
          dict is taken as not published.
    derived : dict, optional
        ``{derived column: count column or list of count columns}``: a rate, percentage, mean or
        confidence limit resting on those counts. It is hidden wherever any of its counts is
        hidden (e.g. ``{"pct": ["yes", "total"]}``: a percentage of fewer than ``min_cell``
        people is hidden as well).
    by : str or list of str, optional
        Columns splitting the rows into independent sub-tables (e.g. one per cohort, or per
        measure in a long table): column totals, and the totals row, are per group.
    suppress_zeros : bool, default False
        Also treat zero counts as small (primary suppression of 0 to ``min_cell - 1``).
    flags : {"columns", "marker", None}, default "columns"
        ``"columns"``: add a boolean ``<col>_suppressed`` column for every count, total and
        derived column; ``"marker"``: add one boolean column ``suppressed`` (any value of the
        row hidden); ``None``: no flag.

    Returns
    -------
    table : DataFrame
        A copy of ``df`` with hidden values missing (integer columns become ``Int64`` with
        ``<NA>``, float columns ``NaN``) and the flag columns. ``table.attrs["suppression"]``
        records ``min_cell``, the numbers of primary and secondary cells, the hidden derived
        values, and any hidden cell that could not be protected (``unprotected``: a list of
        ``(row position, column)``; empty unless a line has no other cell to hide).
    n_suppressed : int
        The number of count cells (including margin cells) hidden, primary plus secondary.
        Derived values hidden along with them are not counted.

    Raises
    ------
    ParameterError
        A named column is missing, counts are not non-negative numbers, ``min_cell`` is not a
        positive whole number, or ``totals`` / ``flags`` is not understood.

    Notes
    -----
    The secondary cell chosen in a line is the smallest visible non-zero count (ties: the first
    in table order); a zero is chosen only when nothing else is left. After the pairwise rule
    the pattern is verified by linear algebra (see :func:`derivable_cells`) and strengthened
    until no hidden count can be derived exactly from what is shown. Interval (bounds)
    disclosure is not checked. Missing counts already in the input count as unknown to the
    reader but are not flagged or counted as suppressed.

    Examples
    --------
    >>> t = pd.DataFrame({"IOM": [25, 3, 40], "DVIOM": [12, 30, 18]}, index=["N", "S", "E"])
    >>> out, n = suppress_table(t, count_cols=["IOM", "DVIOM"])
    >>> n          # S/IOM (3) primary; S/DVIOM, N/IOM and N/DVIOM secondary
    4
    """
    min_cell = _check_min_cell(min_cell)
    counts = _as_list(count_cols, "count_cols")
    if not counts:
        raise ParameterError("count_cols: expected at least one count column")
    by_cols = _as_list(by, "by")
    if flags not in ("columns", "marker", None):
        raise ParameterError(f"flags={flags!r}: expected 'columns', 'marker' or None")
    derived = dict(derived or {})
    for k, v in list(derived.items()):
        derived[k] = _as_list(v, f"derived[{k!r}]")

    if isinstance(totals, Mapping):
        unknown = set(totals) - {"row", "column"}
        if unknown:
            raise ParameterError(f"totals: unknown key(s) {sorted(unknown)}; expected 'row' "
                                 f"and/or 'column'")
        total_col = totals.get("column")
        total_row = totals.get("row")
        row_lines = total_col is not None
        col_lines = "row" in totals
        explicit = True
    else:
        key = totals.lower() if isinstance(totals, str) else totals
        if key not in _TOTALS_MODES:
            raise ParameterError(f"totals={totals!r}: expected None, 'both', 'rows', "
                                 f"'columns', 'none'/False or a dict of margins")
        row_lines, col_lines = _TOTALS_MODES[key]
        total_col = total_row = None
        explicit = False

    cells_cols = counts + ([total_col] if total_col is not None and total_col not in counts
                           else [])
    if total_col is not None and total_col in counts:
        counts = [c for c in counts if c != total_col]
    _need_columns(df, cells_cols, "count_cols/totals")
    _need_columns(df, by_cols, "by")
    _need_columns(df, derived, "derived")
    for k, v in derived.items():
        _need_columns(df, v, f"derived[{k!r}]")
        bad = [c for c in v if c not in cells_cols]
        if bad:
            raise ParameterError(f"derived[{k!r}]: {bad} are not count columns; count columns: "
                                 f"{cells_cols}")

    n_rows, n_cols = len(df), len(cells_cols)
    col_no = {c: j for j, c in enumerate(cells_cols)}

    def cell(i: int, c: str) -> int:
        return i * n_cols + col_no[c]

    values = np.column_stack([_counts(df, c) for c in cells_cols]).ravel() if n_rows \
        else np.zeros(0)
    missing = np.isnan(values)
    low = 0 if suppress_zeros else 1
    primary = ~missing & (values >= low) & (values < min_cell)
    hidden = primary | missing

    lines: list[_Line] = []
    groups = _row_groups(df, by_cols)
    total_rows = set()
    group_totals = []
    for g in groups:
        t = _total_rows(df, total_row, g) if explicit and "row" in totals else None
        group_totals.append(t)
        if t is not None:
            total_rows.add(t)
    if row_lines:
        for i in range(n_rows):
            cs = [cell(i, c) for c in counts]
            if explicit:
                lines.append(_Line(cs + [cell(i, total_col)], [1.0] * len(cs) + [-1.0]))
            elif len(cs) >= 2:
                lines.append(_Line(cs, [1.0] * len(cs)))
    if col_lines:
        for g, t in zip(groups, group_totals, strict=True):
            inner = [i for i in g if i not in total_rows]
            for c in cells_cols:
                cs = [cell(i, c) for i in inner]
                if t is not None:
                    lines.append(_Line(cs + [cell(t, c)], [1.0] * len(cs) + [-1.0]))
                elif len(cs) >= 2:
                    lines.append(_Line(cs, [1.0] * len(cs)))

    _, unprotected = _protect(values, hidden, lines) if lines else (0, [])
    suppressed = hidden & ~missing
    grid = suppressed.reshape(n_rows, n_cols) if n_rows else np.zeros((0, n_cols), dtype=bool)

    out = df.copy()
    masks: dict[str, np.ndarray] = {}
    for c in cells_cols:
        masks[c] = grid[:, col_no[c]]
    for k, bases in derived.items():
        m = np.zeros(n_rows, dtype=bool)
        for b in bases:
            m |= masks[b]
        masks[k] = masks.get(k, np.zeros(n_rows, dtype=bool)) | m
    for c, m in masks.items():
        out[c] = _hide(out[c], m)
    if flags == "columns":
        for c, m in masks.items():
            out[f"{c}_suppressed"] = m
    elif flags == "marker":
        any_hidden = np.zeros(n_rows, dtype=bool)
        for m in masks.values():
            any_hidden |= m
        out["suppressed"] = any_hidden
    n_suppressed = int(suppressed.sum())
    out.attrs["suppression"] = {
        "min_cell": min_cell,
        "primary": int(primary.sum()),
        "secondary": n_suppressed - int(primary.sum()),
        "derived_hidden": int(sum(masks[k].sum() for k in derived)),
        "suppress_zeros": bool(suppress_zeros),
        "unprotected": [(c // n_cols, cells_cols[c % n_cols]) for c in unprotected],
    }
    return out, n_suppressed


def suppress_measures(df: pd.DataFrame, *, min_cell: int = DEFAULT_MIN_CELL, count_cols=("n",),
                      derived=MEASURE_DERIVED, flags: str | None = "marker"
                      ) -> tuple[pd.DataFrame, int]:
    """Hide every figure of a tidy measure table resting on fewer than ``min_cell`` people.

    Parameters
    ----------
    df : DataFrame
        Rows as built by :func:`iomlib.measures.measure_row` (``measure``, ``value``, ``n``,
        ``numerator``, ``denominator``, ``ci_low``, ``ci_high``, ...).
    min_cell : int, default 10
    count_cols : sequence of str, default ("n",)
        The counts of people each row rests on; add ``"numerator"`` where it counts people too
        (e.g. survivors who felt safer) so that a small numerator hides the row's figures.
    derived : sequence of str
        Columns hidden with the count (those present in ``df``; counts excluded).
    flags : {"marker", "columns", None}, default "marker"
        As in :func:`suppress_table`.

    Returns
    -------
    table : DataFrame
    n_suppressed : int
        Count cells hidden.

    Notes
    -----
    Measures are not additive, so there is no secondary suppression between rows.
    """
    counts = [c for c in _as_list(count_cols, "count_cols")]
    _need_columns(df, counts, "count_cols")
    bases = {c: counts for c in derived if c in df.columns and c not in counts}
    return suppress_table(df, count_cols=counts, min_cell=min_cell, totals=False,
                          derived=bases, flags=flags)


def suppress_curve(df: pd.DataFrame, *, n_col: str = "n_at_risk", min_cell: int = DEFAULT_MIN_CELL,
                   value_cols: Sequence[str] | None = None, people_col: str | None = "n_people",
                   event_col: str | None = None) -> pd.DataFrame:
    """Hide the points of a curve resting on fewer than ``min_cell`` people.

    Parameters
    ----------
    df : DataFrame
        One row per curve point, e.g. :func:`iomlib.measures.curves.risk_by_month` (``month``, ``group``,
        ``mean``, ``ci_low``, ``ci_high``, ``n_at_risk``, ``n_people``).
    n_col : str, default "n_at_risk"
        The number at risk at each point.
    min_cell : int, default 10
    value_cols : sequence of str, optional
        The plotted values hidden at a small point; default ``mean``, ``ci_low``, ``ci_high``
        (those present).
    people_col : str or None, default "n_people"
        A count of distinct people, when present; a point is also hidden when it is small.
    event_col : str, optional
        A count of events (e.g. offences); a point is also hidden when it is from 1 to
        ``min_cell - 1``.

    Returns
    -------
    DataFrame
        A copy in which, at each small point, the values **and** the small counts are missing
        (so the numbers at risk printed under the axis never show a count below ``min_cell``),
        with a boolean ``suppressed`` column. ``attrs["suppression"]`` holds ``min_cell`` and the
        number of points hidden.

    Raises
    ------
    ParameterError
        ``n_col`` (or a named value/event column) is missing, or ``min_cell`` is not a positive
        whole number.
    """
    min_cell = _check_min_cell(min_cell)
    _need_columns(df, [n_col], "n_col")
    if value_cols is None:
        value_cols = [c for c in CURVE_VALUES if c in df.columns]
    else:
        value_cols = _as_list(value_cols, "value_cols")
        _need_columns(df, value_cols, "value_cols")
    if event_col is not None:
        _need_columns(df, [event_col], "event_col")
    count_cols = [n_col] + ([people_col] if people_col and people_col in df.columns else [])
    small = np.zeros(len(df), dtype=bool)
    for c in count_cols:
        v = _counts(df, c)
        small |= ~np.isnan(v) & (v < min_cell)
    if event_col is not None:
        v = _counts(df, event_col)
        small |= ~np.isnan(v) & (v >= 1) & (v < min_cell)
    out = df.copy()
    for c in value_cols + count_cols + ([event_col] if event_col else []):
        out[c] = _hide(out[c], small)
    out["suppressed"] = small
    out.attrs["suppression"] = {"min_cell": min_cell, "points_hidden": int(small.sum())}
    return out


_HEADLINE_COUNTS = ("n", "numerator", "denominator", "n_treated", "n_control")
_HEADLINE_DERIVED = ("value", "ci_low", "ci_high", "numerator", "denominator", "estimate")


def suppress_headline(metrics: Mapping, min_cell: int = DEFAULT_MIN_CELL,
                      count_keys: Iterable[str] = ()) -> dict:
    """Headline figures (``metrics.json``) for a public audience.

    Parameters
    ----------
    metrics : mapping
        ``{key: {"value", "n", "numerator", "denominator", "ci_low", "ci_high", ...,
        "alternatives": [...]}}`` as built by :func:`iomlib.measures.headline.headline_json`; other keys
        are copied unchanged.
    min_cell : int, default 10
    count_keys : iterable of str
        Keys whose ``value`` is itself a count of people (e.g. the cohort sizes).

    Returns
    -------
    dict
        A copy in which every entry (and alternative) with a count of people (``n``,
        ``numerator``, ``denominator``, ``n_treated``, ``n_control``, or the value of a count
        key) from 1 to
        ``min_cell - 1`` has its value, interval, numerator and denominator set to ``None``,
        its small counts to ``None`` and ``"suppressed": True``.
    """
    min_cell = _check_min_cell(min_cell)
    count_keys = set(count_keys)

    def small(v) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool) and 0 < v < min_cell

    def one(entry: Mapping, is_count: bool) -> dict:
        e = dict(entry)
        counts = [c for c in _HEADLINE_COUNTS if small(e.get(c))]
        if counts or (is_count and small(e.get("value"))):
            for c in _HEADLINE_DERIVED + tuple(counts):
                if c in e:
                    e[c] = None
            e["suppressed"] = True
        return e

    out = {}
    for key, entry in metrics.items():
        if isinstance(entry, Mapping) and "value" in entry:
            e = one(entry, key in count_keys)
            if isinstance(entry.get("alternatives"), list):
                e["alternatives"] = [one(a, key in count_keys) if isinstance(a, Mapping) else a
                                     for a in entry["alternatives"]]
            out[key] = e
        else:
            out[key] = entry
    return out


def fold_hidden(table: pd.DataFrame, *, group: str, category: str, value: str, total: str,
                hidden_label: str = f"suppressed {SUPPRESSED_SYMBOL}"
                ) -> tuple[pd.DataFrame, list]:
    """What a stacked-share chart may draw of a suppressed long table with a total per group.

    Parameters
    ----------
    table : DataFrame
        Suppressed (hidden values missing), one row per group and category plus one total row
        per group (``category == total``).
    group, category, value : str
        Column names.
    total : str
        The ``category`` of the total rows.
    hidden_label : str
        The category under which a group's hidden values are drawn together.

    Returns
    -------
    shares : DataFrame
        group, category, value: the visible values of each group whose total is shown, and one
        row with the hidden values together (the published total minus the visible values;
        no row when nothing is hidden). Drawn this way no hidden value can be read off.
    dropped : list
        Groups not drawn: their total is hidden, or every value is.
    """
    _need_columns(table, [group, category, value], "fold_hidden")
    rows, dropped = [], []
    for g, d in table.groupby(group, sort=False):
        tot = d.loc[d[category] == total, value]
        if len(tot) != 1:
            raise ParameterError(f"fold_hidden: group {g!r} has {len(tot)} total rows "
                                 f"({category} == {total!r}); expected 1")
        inner = d[d[category] != total]
        visible = inner.dropna(subset=[value])
        if pd.isna(tot.iloc[0]) or visible.empty:
            dropped.append(g)
            continue
        rows += [{group: g, category: c, value: float(v)}
                 for c, v in zip(visible[category], visible[value])]
        hidden = float(tot.iloc[0] - visible[value].astype(float).sum())
        if hidden > 0:
            rows.append({group: g, category: hidden_label, value: hidden})
    return pd.DataFrame(rows, columns=[group, category, value]), dropped


def display_table(df: pd.DataFrame, symbol: str = SUPPRESSED_SYMBOL) -> pd.DataFrame:
    """A copy for display: hidden values shown as ``symbol`` and the flag columns dropped.

    Parameters
    ----------
    df : DataFrame
        Output of :func:`suppress_table`, :func:`suppress_measures` or :func:`suppress_curve`.
    symbol : str, default "[c]"
        The ONS marker for a confidential value.

    Returns
    -------
    DataFrame
        Columns that had hidden values become ``object``.
    """
    out = df.copy()
    flag_cols = [c for c in out.columns if isinstance(c, str) and c.endswith("_suppressed")
                 and c[: -len("_suppressed")] in out.columns]
    for f in flag_cols:
        c = f[: -len("_suppressed")]
        m = out[f].to_numpy(dtype=bool)
        if m.any():
            out[c] = out[c].astype(object).where(~m, symbol)
    drop = flag_cols
    if "suppressed" in out.columns and not flag_cols:
        m = out["suppressed"].to_numpy(dtype=bool)
        for c in out.columns:
            if c != "suppressed" and m.any() and out.loc[m, c].isna().any():
                col = out[c].astype(object)
                col[m & col.isna().to_numpy()] = symbol
                out[c] = col
        drop = ["suppressed"]
    return out.drop(columns=drop)


# --------------------------------------------------------------------------------------------
# pseudonyms and identifiers


def _key_bytes(key) -> bytes:
    if isinstance(key, str):
        key = key.encode("utf-8")
    if not isinstance(key, (bytes, bytearray)) or len(key) == 0:
        raise ParameterError("pseudonymise: expected a non-empty key (str or bytes); keep it "
                             "secret and out of the repository")
    return bytes(key)


def pseudonymise(values, key, *, prefix: str = "N-", length: int = 10):
    """Keyed, stable pseudonyms: ``prefix`` + the first ``length`` hex digits of HMAC-SHA256.

    Parameters
    ----------
    values : str, or iterable / Series of identifiers
        Identifiers (anything else is turned into text first); missing values stay missing.
    key : str or bytes
        The secret key. The same value and key always give the same pseudonym; another key
        gives unrelated pseudonyms, and without the key they cannot be reversed or recomputed.
    prefix : str, default "N-"
        E.g. ``"N-"`` for nominals, ``"S-"`` for survivors.
    length : int, default 10
        Hex digits kept (4 to 64). Ten digits (40 bits) keep collisions improbable for a
        national dataset; a collision within one call is refused rather than merging people.

    Returns
    -------
    str, list of str, or Series
        Same shape as ``values`` (a Series keeps its index).

    Raises
    ------
    ParameterError
        Empty key, bad ``length``, or two different identifiers given the same pseudonym.

    Examples
    --------
    >>> pseudonymise("P0001", "secret")
    'N-29b3420f6f'
    """
    k = _key_bytes(key)
    if isinstance(length, bool) or not isinstance(length, int) or not 4 <= length <= 64:
        raise ParameterError(f"pseudonymise: length={length!r}: expected 4 to 64 hex digits")

    def one(v):
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return v
        digest = hmac.new(k, str(v).encode("utf-8"), hashlib.sha256).hexdigest()
        return prefix + digest[:length]

    if isinstance(values, (str, bytes)) or np.isscalar(values) or values is None:
        return one(values.decode() if isinstance(values, bytes) else values)
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    uniq = pd.unique(series.dropna().astype(str))
    mapping = {u: one(u) for u in uniq}
    if len(set(mapping.values())) != len(mapping):
        raise ParameterError(f"pseudonymise: two identifiers got the same pseudonym with "
                             f"length={length}; use more digits")
    out = series.map(lambda v: v if v is None or (not isinstance(v, str) and pd.isna(v))
                     else mapping[str(v)])
    return out if isinstance(values, pd.Series) else out.tolist()


_DATA_URI = re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=\s]+")


def scan_for_identifiers(text: str, identifiers: Iterable[str], *,
                         ignore_data_uris: bool = True) -> set[str]:
    """The identifiers that occur in ``text`` as whole tokens.

    Parameters
    ----------
    text : str
        E.g. the contents of a report (HTML, CSV, JSON, notebook).
    identifiers : iterable of str
        Every identifier that must not appear (``person_id``, ``survivor_id``, ``offence_id``,
        ``victim_id``, ... values).
    ignore_data_uris : bool, default True
        Skip base64 ``data:`` URIs (embedded images), in which short identifiers would otherwise
        turn up by chance.

    Returns
    -------
    set of str
        The identifiers found.

    Notes
    -----
    An identifier counts as found when it is a maximal run of the characters identifiers are
    made of (so ``P0001`` is not found inside ``P00012``), or a part of such a run split at a
    punctuation character (``P0001-P0002`` finds both). The text is scanned once with one
    character-class regex and the runs are intersected with the identifier set, so the cost is
    linear in the text and does not grow with the number of identifiers. Identifiers that are
    plain numbers will match any equal number in the text: such hits are real risks to review.
    """
    ids = {str(i) for i in identifiers if i is not None and str(i) != ""}
    if not ids or not text:
        return set()
    if ignore_data_uris:
        text = _DATA_URI.sub(" ", text)
    alphabet = set().union(*ids)
    if any(ch.isspace() for ch in alphabet):      # ids with spaces: fall back to plain search
        spaced = {i for i in ids if any(ch.isspace() for ch in i)}
        found = {i for i in spaced if i in text}
        ids -= spaced
        alphabet = set().union(*ids) if ids else set()
    else:
        found = set()
    if not ids:
        return found
    klass = "[" + "".join(re.escape(ch) for ch in sorted(alphabet)) + "]+"
    punct = re.compile(r"[^0-9A-Za-z]")
    for run in re.findall(klass, text):
        if run in ids:
            found.add(run)
        seps = [m.start() for m in punct.finditer(run)]
        if not seps:
            continue
        bounds = [-1] + seps + [len(run)]
        for a in range(len(bounds) - 1):          # every contiguous part between separators
            for b in range(a + 1, min(len(bounds), a + 8)):
                part = run[bounds[a] + 1: bounds[b]]
                if part in ids:
                    found.add(part)
    return found


def banner(audience: str, min_cell: int = DEFAULT_MIN_CELL, *,
           show_identifiers: bool = False) -> str:
    """The protective-marking line shown at the top of every report page.

    Parameters
    ----------
    audience : {"public", "restricted"}
    min_cell : int, default 10
        The suppression threshold in force (quoted in the public banner).
    show_identifiers : bool, default False
        Restricted reports: whether real identifiers are shown (else keyed pseudonyms).

    Returns
    -------
    str

    Raises
    ------
    ParameterError
        Unknown audience or bad ``min_cell``.

    Examples
    --------
    >>> banner("public")[:17]
    'OFFICIAL — PUBLIC'
    """
    min_cell = _check_min_cell(min_cell)
    if audience == "public":
        return (f"OFFICIAL — PUBLIC: every count, rate and percentage resting on 1 to "
                f"{min_cell - 1} people is suppressed ({SUPPRESSED_SYMBOL}), with further cells "
                f"hidden where a suppressed one could be worked out from totals; curve points on "
                f"fewer than {min_cell} people are not drawn; no identifiers are shown")
    if audience == "restricted":
        ids = ("shows real identifiers" if show_identifiers else
               "identifiers are replaced by keyed pseudonyms")
        return ("OFFICIAL-SENSITIVE — RESTRICTED: contains personal data about offenders "
                f"and victims ({ids}); figures are not suppressed; do not publish")
    raise ParameterError(f"audience={audience!r}: expected one of {', '.join(AUDIENCES)}")


# --------------------------------------------------------------------------------------------
# the pseudonym key


def new_key_file(path: str | Path) -> Path:
    """Create a pseudonym key file (64 random hex digits, owner-only permissions) if absent.

    Parameters
    ----------
    path : str or Path
        Where the key lives. An existing file is left as it is, so pseudonyms stay stable from
        one run to the next.

    Returns
    -------
    Path

    Raises
    ------
    ParameterError
        The file cannot be created.
    """
    path = Path(path)
    if path.exists():
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
    except FileExistsError:       # another run made it first
        pass
    except OSError as exc:
        raise ParameterError(f"pseudonym key file {path}: cannot create it ({exc.strerror})") \
            from None
    return path


def pseudonym_key(environ: Mapping[str, str] | None = None) -> tuple[bytes | None, str]:
    """The key for pseudonyms, and where it came from.

    Looked up in this order: the environment variable ``IOM_PSEUDONYM_KEY`` (the key itself),
    then ``IOM_PSEUDONYM_KEY_FILE`` (a file holding it; ``iom report`` sets this to
    ``<out>/.pseudonym-key``, created on the first restricted run). Without either there is no
    stable key: ``(None, reason)``, and :class:`Disclosure` makes a key for the session only.

    Parameters
    ----------
    environ : mapping, optional
        Default ``os.environ``.

    Returns
    -------
    key : bytes or None
    source : str
        A description for the report (never the key).

    Raises
    ------
    ParameterError
        ``IOM_PSEUDONYM_KEY_FILE`` names a file that is missing, unreadable or empty.
    """
    env = os.environ if environ is None else environ
    if env.get(KEY_ENV):
        return env[KEY_ENV].encode("utf-8"), f"the environment variable {KEY_ENV}"
    if env.get(KEY_FILE_ENV):
        path = Path(env[KEY_FILE_ENV])
        try:
            key = path.read_bytes().strip()
        except OSError as exc:
            raise ParameterError(f"{KEY_FILE_ENV}={path}: cannot read the pseudonym key file "
                                 f"({exc.strerror})") from None
        if not key:
            raise ParameterError(f"{KEY_FILE_ENV}={path}: the pseudonym key file is empty")
        return key, f"the key file named by {KEY_FILE_ENV}"
    return None, (f"neither {KEY_ENV} nor {KEY_FILE_ENV} is set: pseudonyms are stable within "
                  "this session only")


# --------------------------------------------------------------------------------------------
# the disclosure rules of one report


class Disclosure:
    """The disclosure rules of one report: who reads it, the threshold, identifiers.

    Every table and plotted series a report notebook shows goes through one of these methods,
    so that the same notebook is safe for either audience:

    * ``public``: counts of 1 to ``min_cell - 1`` people (and every figure resting on them) are
      hidden, with secondary suppression where totals are published (:func:`suppress_table`);
      curve points on fewer than ``min_cell`` people are hidden (:func:`suppress_curve`); a
      table holding an identifier column is refused;
    * ``restricted``: figures are shown as they are, and identifier columns (``person_id``,
      ``survivor_id``, ``offence_id``, ``victim_id``, ``episode_id``) are replaced by keyed,
      stable pseudonyms (:func:`pseudonymise`) unless ``show_identifiers=True``.

    Parameters
    ----------
    audience : {"public", "restricted"}, default "restricted"
    min_cell : int, default 10
    show_identifiers : bool, default False
        Restricted reports only: show real identifiers instead of pseudonyms.
    key : str or bytes, optional
        The pseudonym key; default from :func:`pseudonym_key` (environment), else a random key
        for this object only.

    Attributes
    ----------
    log_ : list of dict
        One entry per table or curve released: its kind, rows, the count columns, cells hidden
        and the smallest non-zero count left visible (see :meth:`summary`).
    key_source_ : str
        Where the pseudonym key came from (never the key).

    Raises
    ------
    ParameterError
        Unknown audience, bad ``min_cell``, or ``show_identifiers`` with a public audience.

    Examples
    --------
    >>> sdc = Disclosure("public", min_cell=10)
    >>> t = pd.DataFrame({"reason": ["moved", "died"], "n": [40, 3]})
    >>> sdc.table(t, count_cols="n")["n"].tolist()
    [40, <NA>]
    """

    def __init__(self, audience: str = "restricted", min_cell: int = DEFAULT_MIN_CELL, *,
                 show_identifiers: bool = False, key=None):
        if audience not in AUDIENCES:
            raise ParameterError(f"audience={audience!r}: expected one of "
                                 f"{', '.join(AUDIENCES)}")
        self.audience = audience
        self.min_cell = _check_min_cell(min_cell)
        if not isinstance(show_identifiers, bool):
            raise ParameterError(f"show_identifiers={show_identifiers!r}: expected true or false")
        if show_identifiers and audience == "public":
            raise ParameterError("show_identifiers=True: identifiers are never shown to a public "
                                 "audience; use audience='restricted'")
        self.show_identifiers = show_identifiers
        if key is not None:
            self._key, self.key_source_ = _key_bytes(key), "given"
        else:
            k, self.key_source_ = pseudonym_key()
            self._key = k if k is not None else secrets.token_bytes(32)
        self.log_: list[dict] = []

    def __repr__(self) -> str:
        return (f"Disclosure(audience={self.audience!r}, min_cell={self.min_cell}, "
                f"show_identifiers={self.show_identifiers})")

    @property
    def public(self) -> bool:
        """True for a public audience."""
        return self.audience == "public"

    @property
    def banner(self) -> str:
        """The protective-marking line (:func:`banner`)."""
        return banner(self.audience, self.min_cell)

    # -- single values --------------------------------------------------------------------

    def is_small(self, n) -> bool:
        """True when ``n`` people is a count a public report must not show (1 to min_cell-1)."""
        return self.public and n is not None and not pd.isna(n) and 0 < float(n) < self.min_cell

    def count(self, n, unit: str = "") -> str:
        """A count for text: ``"1,234"``, or ``"fewer than 10"`` when it is small and public.

        Parameters
        ----------
        n : int
        unit : str, optional
            Appended after a space, e.g. ``"people"``.
        """
        text = f"fewer than {self.min_cell}" if self.is_small(n) else (
            "unknown" if n is None or pd.isna(n) else f"{int(n):,}")
        return f"{text} {unit}".rstrip()

    def identifier(self, value, column: str = "person_id") -> str:
        """One identifier for text: its pseudonym, or itself when identifiers are shown.

        Raises
        ------
        ParameterError
            Public audience (identifiers are never shown), or an unknown identifier column.
        """
        if column not in IDENTIFIER_COLUMNS:
            raise ParameterError(f"column={column!r}: expected one of "
                                 f"{', '.join(IDENTIFIER_COLUMNS)}")
        if self.public:
            raise ParameterError(f"a public report cannot show a {column}")
        if self.show_identifiers:
            return str(value)
        return pseudonymise(value, self._key, prefix=IDENTIFIER_COLUMNS[column])

    # -- tables ---------------------------------------------------------------------------

    def identifiers(self, df: pd.DataFrame) -> pd.DataFrame:
        """``df`` with its identifier columns (and index) pseudonymised, for a restricted audience.

        Raises
        ------
        ParameterError
            Public audience and ``df`` holds an identifier column: aggregate it first.
        """
        names = [c for c in df.columns if c in IDENTIFIER_COLUMNS]
        index_names = [n for n in df.index.names if n in IDENTIFIER_COLUMNS]
        if self.public and (names or index_names):
            raise ParameterError(f"a public report cannot show identifier column(s) "
                                 f"{', '.join(names + index_names)}; aggregate the table first")
        if self.show_identifiers or not (names or index_names):
            return df
        out = df.copy()
        for c in names:
            out[c] = pseudonymise(out[c].astype(object), self._key,
                                  prefix=IDENTIFIER_COLUMNS[c])
        if index_names:
            out = out.reset_index()
            for c in index_names:
                out[c] = pseudonymise(out[c].astype(object), self._key,
                                      prefix=IDENTIFIER_COLUMNS[c])
            out = out.set_index(list(df.index.names))
        return out

    def _record(self, kind: str, out: pd.DataFrame, counts: list[str], hidden: int) -> None:
        visible = []
        for c in counts:
            if c in out.columns:
                v = pd.to_numeric(out[c], errors="coerce").to_numpy(dtype=float)
                visible.extend(v[~np.isnan(v) & (v > 0)].tolist())
        smallest = float(min(visible)) if visible else None
        self.log_.append({"kind": kind, "rows": len(out), "count_columns": ", ".join(counts),
                          "cells_hidden": int(hidden),
                          "smallest_count_shown": np.nan if smallest is None else smallest})
        out.attrs["disclosure"] = {"audience": self.audience, "min_cell": self.min_cell,
                                   "kind": kind, "count_columns": list(counts),
                                   "cells_hidden": int(hidden),
                                   "smallest_count_shown": smallest}

    def table(self, df: pd.DataFrame, *, count_cols=None, totals="none", derived=None, by=None,
              rests_on=None, suppress_zeros: bool = False) -> pd.DataFrame:
        """A table of counts ready to plot or show: small cells hidden for a public audience.

        Parameters
        ----------
        df : DataFrame
        count_cols : str or list of str, optional
            Columns counting people (or events of people); see :func:`suppress_table`. With a
            public audience, either these or ``rests_on`` must be given.
        totals : default "none"
            Which totals a reader can see (see :func:`suppress_table`; e.g. ``"both"`` for a
            cross-tabulation, ``{"row": "n", "column": "n"}`` for one with margins).
        derived : dict, optional
            ``{column: count column(s)}``: values hidden with their counts.
        by : str or list of str, optional
            Independent sub-tables (see :func:`suppress_table`).
        rests_on : int, optional
            For a table with no count column (e.g. model estimates): the number of people the
            whole table rests on. Below ``min_cell`` every numeric value is hidden.
        suppress_zeros : bool, default False

        Returns
        -------
        DataFrame
            Numeric (hidden values missing) with ``<col>_suppressed`` flags for a public
            audience; identifiers pseudonymised for a restricted one.
            ``attrs["disclosure"]`` marks it as checked.

        Raises
        ------
        ParameterError
            Public audience and neither ``count_cols`` nor ``rests_on`` given, a named column
            missing, or an identifier column in a public table.
        """
        counts = _as_list(count_cols, "count_cols")
        out = self.identifiers(df)
        if out is df:
            out = df.copy()
        hidden = 0
        if self.public:
            if not counts and rests_on is None:
                raise ParameterError("a public table needs count_cols (the columns counting "
                                     "people) or rests_on (how many people it rests on)")
            if counts:
                out, hidden = suppress_table(out, count_cols=counts, min_cell=self.min_cell,
                                             totals=totals, derived=derived, by=by,
                                             suppress_zeros=suppress_zeros)
            if rests_on is not None and self.is_small(rests_on):
                numeric = [c for c in out.columns if pd.api.types.is_numeric_dtype(out[c])
                           and not pd.api.types.is_bool_dtype(out[c])]
                mask = np.ones(len(out), dtype=bool)
                for c in numeric:
                    out[c] = _hide(out[c], mask)
                    out[f"{c}_suppressed"] = mask
                hidden += len(out) * len(numeric)
        self._record("table", out, counts, hidden)
        return out

    def measures(self, df: pd.DataFrame, *, count_cols=("n",),
                 derived=MEASURE_DERIVED) -> pd.DataFrame:
        """A tidy measure table with figures on fewer than ``min_cell`` people hidden (public).

        See :func:`suppress_measures`; ``count_cols`` should include ``numerator`` where it
        counts people.
        """
        counts = _as_list(count_cols, "count_cols")
        out = self.identifiers(df)
        hidden = 0
        if self.public:
            out, hidden = suppress_measures(out, min_cell=self.min_cell, count_cols=counts,
                                            derived=derived, flags="columns")
        elif out is df:
            out = df.copy()
        self._record("measures", out, counts, hidden)
        return out

    def curve(self, df: pd.DataFrame, *, n_col: str = "n_at_risk", **kwargs) -> pd.DataFrame:
        """Curve points on fewer than ``min_cell`` people hidden (public); see
        :func:`suppress_curve` for the options."""
        out = self.identifiers(df)
        if self.public:
            out = suppress_curve(out, n_col=n_col, min_cell=self.min_cell, **kwargs)
            hidden = int(out["suppressed"].sum())
        else:
            out, hidden = (df.copy() if out is df else out), 0
        people = kwargs.get("people_col", "n_people")
        self._record("curve", out, [n_col] + ([people] if people and people in out else []),
                     hidden)
        return out

    def show(self, df: pd.DataFrame, *, digits=None, measures: bool = False, **rules) -> None:
        """Display a table in the notebook after :meth:`table` (or :meth:`measures`).

        Parameters
        ----------
        df : DataFrame
        digits : int or dict, optional
            Passed to ``DataFrame.round`` before hidden cells become ``[c]``.
        measures : bool, default False
            Use :meth:`measures` (``rules`` as its keywords) instead of :meth:`table`.
        **rules
            Keywords of :meth:`table` or :meth:`measures`.
        """
        from IPython.display import display
        shown = self.measures(df, **rules) if measures else self.table(df, **rules)
        display(self.for_display(shown, digits=digits))

    def for_display(self, df: pd.DataFrame, *, digits=None) -> pd.DataFrame:
        """A checked table (from :meth:`table`, :meth:`measures` or :meth:`curve`) as shown:
        rounded, hidden values as ``[c]``, flag columns dropped."""
        if "disclosure" not in df.attrs:
            raise ParameterError("for_display: expected a table from Disclosure.table, "
                                 ".measures or .curve")
        t = df.round(digits) if digits is not None else df
        out = display_table(t)
        out.attrs["disclosure"] = dict(df.attrs["disclosure"])
        return out

    def figure(self, value, spec: str = "", *counts) -> str:
        """A figure for text, ``format(value, spec)``, or ``[c]`` when any of the ``counts`` of
        people it rests on is small (public audience)."""
        if any(self.is_small(n) for n in counts):
            return SUPPRESSED_SYMBOL
        return format(value, spec)

    def combine(self, frame: pd.DataFrame, *sources: pd.DataFrame) -> pd.DataFrame:
        """Mark a table built by joining or reshaping checked tables as checked itself.

        Parameters
        ----------
        frame : DataFrame
            The result of ``join``, ``pivot`` and the like on ``sources`` (no new counts).
        *sources : DataFrame
            The checked tables it was built from (from :meth:`table`, :meth:`measures`,
            :meth:`curve` or :meth:`for_display` of this object).

        Returns
        -------
        DataFrame
            ``frame`` with a check merged from the sources: cells hidden summed, the smallest
            count shown the smallest of theirs, the count columns of all.

        Raises
        ------
        ParameterError
            No source, or a source that was not checked (or was checked under other rules).
        """
        if not sources:
            raise ParameterError("combine: name the checked tables the frame was built from")
        checks = []
        for i, src in enumerate(sources):
            check = getattr(src, "attrs", {}).get("disclosure")
            if not check or check.get("audience") != self.audience \
                    or check.get("min_cell") != self.min_cell:
                raise ParameterError(f"combine: source {i + 1} was not checked by this "
                                     f"Disclosure ({self!r})")
            checks.append(check)
        smallest = [c["smallest_count_shown"] for c in checks
                    if c.get("smallest_count_shown") is not None]
        frame.attrs["disclosure"] = {
            "audience": self.audience, "min_cell": self.min_cell, "kind": "combined",
            "count_columns": list(dict.fromkeys(col for c in checks
                                                for col in c.get("count_columns", []))),
            "cells_hidden": int(sum(c.get("cells_hidden", 0) for c in checks)),
            "smallest_count_shown": min(smallest) if smallest else None}
        return frame

    def summary(self) -> pd.DataFrame:
        """One row per table or curve released so far (kind, rows, count columns, cells hidden,
        smallest non-zero count shown)."""
        return pd.DataFrame(self.log_, columns=["kind", "rows", "count_columns", "cells_hidden",
                                                "smallest_count_shown"])

    # -- the notebook guard -----------------------------------------------------------------

    def guard(self, shell=None) -> bool:
        """For a public audience, withhold every DataFrame displayed without a check.

        Registers display formatters with IPython so that a ``DataFrame`` shown in the notebook
        that did not come from :meth:`table`, :meth:`measures`, :meth:`curve` or
        :meth:`for_display` is replaced by a notice (class ``iom-withheld``), never printed.
        A checked table's HTML output carries the check in its metadata (``iom_disclosure``:
        threshold, count columns, cells hidden, smallest non-zero count shown), so an executed
        notebook can be audited table by table.

        Parameters
        ----------
        shell : InteractiveShell, optional
            Default: the running IPython shell.

        Returns
        -------
        bool
            Whether a guard was installed (False outside IPython or for a restricted audience).
        """
        if not self.public:
            return False
        if shell is None:
            try:
                from IPython import get_ipython
            except ImportError:       # pragma: no cover
                return False
            shell = get_ipython()
        if shell is None:
            return False
        formatters = shell.display_formatter.formatters
        notice = ("Table withheld from this public report: it did not pass through disclosure "
                  "control.")

        def checked(obj) -> bool:
            return "disclosure" in getattr(obj, "attrs", {})

        def as_html(obj):
            if checked(obj):
                frame = obj if isinstance(obj, pd.DataFrame) else obj.to_frame()
                # the check travels with the output (cell metadata), for audits and tests
                return frame._repr_html_(), {"iom_disclosure": dict(obj.attrs["disclosure"])}
            return f"<p class='{WITHHELD_MARKER}'><strong>{html.escape(notice)}</strong></p>"

        def as_text(obj, p, cycle):
            p.text(repr(obj) if checked(obj) else f"[{WITHHELD_MARKER}] {notice}")

        for kind in (pd.DataFrame, pd.Series):
            formatters["text/html"].for_type(kind, as_html)
            formatters["text/plain"].for_type(kind, as_text)
        return True


# --------------------------------------------------------------------------------------------
# auditing an executed notebook


def _output_html(out: Mapping) -> str:
    v = (out.get("data") or {}).get("text/html", "")
    return "".join(v) if isinstance(v, list) else str(v)


def _output_text(out: Mapping) -> str:
    v = (out.get("data") or {}).get("text/plain", "") or out.get("text", "")
    return "".join(v) if isinstance(v, list) else str(v)


def audit_notebook(nb: Mapping, min_cell: int = DEFAULT_MIN_CELL) -> list[str]:
    """Problems that make an executed notebook unfit for a public audience.

    Parameters
    ----------
    nb : mapping
        An executed notebook (``nbformat`` node or the parsed JSON).
    min_cell : int, default 10

    Returns
    -------
    list of str
        One line per problem, naming the cell (1-based position): a table withheld by the
        notebook guard (it bypassed :class:`Disclosure`), an HTML table without a disclosure
        check in its output metadata, a check made for another audience or a lower threshold,
        or a check that left a non-zero count below ``min_cell`` visible. Empty when fit.
    """
    min_cell = _check_min_cell(min_cell)
    problems = []
    for i, cell in enumerate(nb.get("cells", []), start=1):
        for out in cell.get("outputs", []) or []:
            text_html, text = _output_html(out), _output_text(out)
            if WITHHELD_MARKER in text_html or WITHHELD_MARKER in text:
                problems.append(f"cell {i}: a table was withheld: it did not pass through "
                                f"disclosure control")
                continue
            if "<table" not in text_html:
                continue
            meta = out.get("metadata") or {}
            check = (meta.get("text/html") or {}).get("iom_disclosure") \
                or meta.get("iom_disclosure")
            if not check:
                problems.append(f"cell {i}: a table without a disclosure check")
                continue
            if check.get("audience") != "public" or int(check.get("min_cell", 0)) < min_cell:
                problems.append(f"cell {i}: a table checked for audience "
                                f"{check.get('audience')!r} with min_cell "
                                f"{check.get('min_cell')}, expected public with {min_cell}")
            smallest = check.get("smallest_count_shown")
            if smallest is not None and 0 < float(smallest) < min_cell:
                problems.append(f"cell {i}: a table shows a count of {smallest:g} "
                                f"(columns {', '.join(check.get('count_columns') or [])})")
    return problems
