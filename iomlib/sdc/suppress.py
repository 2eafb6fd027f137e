"""Small-cell suppression of tables, measure rows and curves for a public report.

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

A rate in a measure table is also hidden when its complement is small (86% of 58 respondents felt
safer implies that 8 did not; :func:`suppress_measures`' ``complement`` rule). Suppression is
applied table by table; differences *between* tables (adoptions published in one, the episodes
compared in another) are found by the run's cross-table audit (:mod:`iomlib.sdc.ledger`) where
the notebook records the sets behind its counts (:meth:`Disclosure.people`).

The rule is a sound default but not a published MoJ or Home Office standard: confirm it with the
data owner (the force or PCC) before publishing.

Totals
    ``totals`` of :func:`suppress_table` says which relations a reader has, i.e. which
    secondary suppression must protect:

    * ``None`` or ``"both"``: the table has no margins in it, but row totals (the sum of each
      row's ``count_cols``) and column totals (the sum of each count column, within each ``by``
      group) are published or derivable -- the conservative default for a cross-tabulation;
    * ``"rows"`` or ``"columns"``: only those totals are published;
    * ``False`` or ``"none"``: the counts are not additive (e.g. one row per measure): primary
      suppression only;
    * a dict with the margins held in the table: ``{"column": name}`` for the column of row
      totals and/or ``{"row": label}`` for the row of column totals (an index label, or a
      ``(column, value)`` pair such as ``("area", "All areas")``; one per ``by`` group). The
      margin cells are counts too (a small total is itself hidden). A margin not named in the
      dict is taken as not published. ``{"relations": {total: [parts]}}`` adds, in every row,
      a relation between columns that a reader knows (e.g. ``{"adopted": ["compared",
      "excluded"]}``, ``{"n": ["decreased", "same", "increased"]}``); every column named there
      is a count cell. ``"columns": True`` (or a list of columns) adds column totals that are
      published but not held in the table.

    The secondary cell chosen in a line is the smallest visible non-zero count (ties: the first
    in table order); a zero is chosen only when nothing else is left. After the pairwise rule the
    pattern is verified by linear algebra (:func:`iomlib.sdc.secondary.derivable_cells`) and
    strengthened until no hidden count can be derived exactly from what is shown. Then the
    attacker's interval audit (:mod:`iomlib.sdc.intervals`: whole, non-negative counts, at
    least 1 where zeros are shown) is run and more cells are hidden, smallest first, until no
    small hidden count is pinned and each one's largest possible value reaches ``min_cell``.
    Missing counts already in the input count as unknown to
    the reader but are not flagged or counted as suppressed.

Also here: :func:`display_table` (hidden values shown as ``[c]``) and :func:`fold_hidden` (what a
stacked-share chart may draw of a suppressed table).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from iomlib.config.params import RunParameters, check_run_parameter
from iomlib.errors import ParameterError
from iomlib.sdc.intervals import Margin, protect_intervals
from iomlib.sdc.secondary import _Line, _protect

#: The run parameter ``min_cell``'s default (declared in :class:`RunParameters`).
DEFAULT_MIN_CELL = RunParameters.defaults()["min_cell"]
#: The symbol ONS tables use for a confidential (suppressed) cell.
SUPPRESSED_SYMBOL = "[c]"
MEASURE_DERIVED = ("value", "ci_low", "ci_high", "numerator", "denominator")
CURVE_VALUES = ("mean", "ci_low", "ci_high")

_TOTALS_MODES = {None: (True, True), "both": (True, True), "rows": (True, False),
                 "columns": (False, True), "none": (False, False), False: (False, False)}


# --------------------------------------------------------------------------------------------
# helpers


def _check_min_cell(min_cell) -> int:
    return check_run_parameter("min_cell", min_cell, lambda _: ParameterError(
        f"min_cell={min_cell!r}: expected a whole number of at least 1"))


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
# tables: the steps of suppress_table


class _Margins(NamedTuple):
    """The totals a reader of a table sees (the ``totals`` argument of :func:`suppress_table`)."""

    rows: bool          # each row adds up to a published total
    columns: bool       # each count column adds up to a published total (per ``by`` group)
    column: object      # the column of row totals held in the table, or None
    row: object         # the row of column totals held in the table (label or (col, value))
    explicit: bool      # margins named in a dict: held in the table itself
    relations: dict = {}  # {total column: [part columns]}: each row, parts add up to the total
    sum_cols: tuple | None = None  # the columns whose (implicit) totals are published; None: all


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


def _margins(totals) -> _Margins:
    if isinstance(totals, Mapping):
        unknown = set(totals) - {"row", "column", "relations", "columns"}
        if unknown:
            raise ParameterError(f"totals: unknown key(s) {sorted(unknown)}; expected 'row', "
                                 f"'column', 'columns' and/or 'relations'")
        relations = totals.get("relations") or {}
        if not isinstance(relations, Mapping):
            raise ParameterError("totals['relations']: expected {total column: [part columns]}")
        relations = {t: _as_list(p, f"totals['relations'][{t!r}]") for t, p in relations.items()}
        column = totals.get("column")
        spec = totals.get("columns")
        sum_cols = None if spec is None or isinstance(spec, bool) else \
            tuple(_as_list(spec, "totals['columns']"))
        columns = "row" in totals or bool(spec)
        return _Margins(column is not None, columns, column, totals.get("row"), True, relations,
                        sum_cols)
    key = totals.lower() if isinstance(totals, str) else totals
    if key not in _TOTALS_MODES:
        raise ParameterError(f"totals={totals!r}: expected None, 'both', 'rows', "
                             f"'columns', 'none'/False or a dict of margins")
    rows, columns = _TOTALS_MODES[key]
    return _Margins(rows, columns, None, None, False)


def _options(count_cols, by, flags, derived) -> tuple[list[str], list[str], dict[str, list[str]]]:
    """The count columns, ``by`` columns and derived columns as lists; ``flags`` checked."""
    counts = _as_list(count_cols, "count_cols")
    if not counts:
        raise ParameterError("count_cols: expected at least one count column")
    by_cols = _as_list(by, "by")
    if flags not in ("columns", "marker", None):
        raise ParameterError(f"flags={flags!r}: expected 'columns', 'marker' or None")
    derived = {k: _as_list(v, f"derived[{k!r}]") for k, v in dict(derived or {}).items()}
    return counts, by_cols, derived


def _cell_columns(df: pd.DataFrame, counts: list[str], margins: _Margins, by_cols: list[str],
                  derived: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """The inner count columns and every column of cells (with the total column), checked."""
    total_col = margins.column
    cells_cols = counts + ([total_col] if total_col is not None and total_col not in counts
                           else [])
    if total_col is not None and total_col in counts:
        counts = [c for c in counts if c != total_col]
    for tot, parts in margins.relations.items():
        cells_cols += [c for c in [*parts, tot] if c not in cells_cols]
    _need_columns(df, cells_cols, "count_cols/totals")
    _need_columns(df, by_cols, "by")
    _need_columns(df, derived, "derived")
    for k, v in derived.items():
        _need_columns(df, v, f"derived[{k!r}]")
        bad = [c for c in v if c not in cells_cols]
        if bad:
            raise ParameterError(f"derived[{k!r}]: {bad} are not count columns; count columns: "
                                 f"{cells_cols}")
    return counts, cells_cols


def _table_lines(df: pd.DataFrame, counts: list[str], cells_cols: list[str], by_cols: list[str],
                 margins: _Margins) -> list[_Line]:
    """The published relations of a table, over cells numbered row by row."""
    n_cols = len(cells_cols)
    col_no = {c: j for j, c in enumerate(cells_cols)}

    def cell(i: int, c: str) -> int:
        return i * n_cols + col_no[c]

    groups = _row_groups(df, by_cols)
    group_totals = [_total_rows(df, margins.row, g)
                    if margins.explicit and margins.columns and margins.row is not None
                    else None for g in groups]
    total_rows = {t for t in group_totals if t is not None}
    lines: list[_Line] = []
    if margins.rows:
        for i in range(len(df)):
            cs = [cell(i, c) for c in counts]
            if margins.explicit:
                lines.append(_Line(cs + [cell(i, margins.column)], [1.0] * len(cs) + [-1.0]))
            elif len(cs) >= 2:
                lines.append(_Line(cs, [1.0] * len(cs)))
    for tot, parts in margins.relations.items():
        for i in range(len(df)):
            lines.append(_Line([cell(i, c) for c in parts] + [cell(i, tot)],
                               [1.0] * len(parts) + [-1.0]))
    if margins.columns:
        for g, t in zip(groups, group_totals, strict=True):
            inner = [i for i in g if i not in total_rows]
            for c in cells_cols:
                if margins.sum_cols is not None and c not in margins.sum_cols:
                    continue
                cs = [cell(i, c) for i in inner]
                if t is not None:
                    lines.append(_Line(cs + [cell(t, c)], [1.0] * len(cs) + [-1.0]))
                elif len(cs) >= 2:
                    lines.append(_Line(cs, [1.0] * len(cs)))
    return lines


def _cell_values(df: pd.DataFrame, cells_cols: list[str]) -> np.ndarray:
    """The counts of every cell, row by row (NaN where missing)."""
    if not len(df):
        return np.zeros(0)
    return np.column_stack([_counts(df, c) for c in cells_cols]).ravel()


def _hide_cells(df: pd.DataFrame, grid: np.ndarray, cells_cols: list[str],
                derived: dict[str, list[str]], flags) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """A copy of ``df`` with the cells of ``grid`` and the values derived from them missing."""
    n_rows = len(df)
    out = df.copy()
    masks: dict[str, np.ndarray] = {c: grid[:, j] for j, c in enumerate(cells_cols)}
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
    return out, masks


def suppress_table(df: pd.DataFrame, *, count_cols, min_cell: int = DEFAULT_MIN_CELL,
                   totals=None, derived: Mapping[str, str | Sequence[str]] | None = None,
                   by=None, suppress_zeros: bool = False,
                   flags: str | None = "columns",
                   margin: Margin | None = None) -> tuple[pd.DataFrame, int]:
    """Primary and secondary small-cell suppression of a table of counts.

    Parameters
    ----------
    df : DataFrame
        A wide cross-tabulation (one count column per category, one row per category of the
        other variable, optionally with margins), or a long table with one count column
        (``by`` then says which rows add up to a published total).
    count_cols : str or list of str
        The columns counting people (in a cross-tabulation the category columns, not the total).
    min_cell : int, default 10
        Counts from 1 to ``min_cell - 1`` are hidden (primary suppression).
    totals : None, str, False or dict, default None
        Which totals a reader can see: ``None``/``"both"`` (row and column totals, published
        or derivable), ``"rows"``, ``"columns"``, ``False``/``"none"`` (not additive: primary
        suppression only), or the margins held in the table, ``{"column": name, "row": label}``
        (see "Totals" in the module notes).
    derived : dict, optional
        ``{derived column: count column(s)}``: a rate, percentage, mean or confidence limit
        hidden wherever any of its counts is (e.g. ``{"pct": ["yes", "total"]}``).
    by : str or list of str, optional
        Columns splitting the rows into independent sub-tables (e.g. one per cohort): column
        totals, and the totals row, are per group.
    suppress_zeros : bool, default False
        Also treat zero counts as small (primary suppression of 0 to ``min_cell - 1``).
    flags : {"columns", "marker", None}, default "columns"
        ``"columns"``: a boolean ``<col>_suppressed`` column for every count, total and derived
        column; ``"marker"``: one boolean column ``suppressed`` (any value of the row hidden).

    Returns
    -------
    table : DataFrame
        A copy of ``df`` with hidden values missing (integer columns become ``Int64``), and the
        flag columns. ``attrs["suppression"]`` records ``min_cell``, the numbers of primary and
        secondary cells, the hidden derived values, and any hidden cell that could not be
        protected (``unprotected``: ``(row position, column)`` pairs).
    n_suppressed : int
        Count cells (margin cells included) hidden, primary plus secondary; not derived values.

    Raises
    ------
    ParameterError
        A named column is missing, counts are not non-negative numbers, ``min_cell`` is not a
        positive whole number, or ``totals`` / ``flags`` is not understood.

    Examples
    --------
    >>> t = pd.DataFrame({"IOM": [25, 3, 40], "DVIOM": [12, 30, 18]}, index=["N", "S", "E"])
    >>> out, n = suppress_table(t, count_cols=["IOM", "DVIOM"])
    >>> n          # S/IOM (3) primary; S/DVIOM, N/IOM and N/DVIOM secondary
    4
    """
    out, n_suppressed, _ = _suppress(df, count_cols=count_cols, min_cell=min_cell,
                                     totals=totals, derived=derived, by=by,
                                     suppress_zeros=suppress_zeros, flags=flags, margin=margin)
    return out, n_suppressed


class Published(NamedTuple):
    """What a reader of a suppressed table has, for the interval and cross-table audits.

    ``values`` are the true cell values (row by row over ``columns``), ``hidden`` which are not
    shown, ``lines`` the published relations (their constants are the true line sums).
    Restricted: never written to a public output.
    """

    columns: list
    values: np.ndarray
    hidden: np.ndarray
    lines: list
    zeros_shown: bool


def _suppress(df: pd.DataFrame, *, count_cols, min_cell, totals, derived, by, suppress_zeros,
              flags, margin, hide=None) -> tuple[pd.DataFrame, int, Published]:
    """:func:`suppress_table`, also returning what a reader has (:class:`Published`)."""
    min_cell = _check_min_cell(min_cell)
    counts, by_cols, derived = _options(count_cols, by, flags, derived)
    margins = _margins(totals)
    counts, cells_cols = _cell_columns(df, counts, margins, by_cols, derived)
    n_rows, n_cols = len(df), len(cells_cols)
    values = _cell_values(df, cells_cols)
    missing = np.isnan(values)
    primary = ~missing & (values >= (0 if suppress_zeros else 1)) & (values < min_cell)
    hidden = primary | missing
    forced = []
    for col, mask in dict(hide or {}).items():   # cells hidden for a reason outside the table
        if col not in cells_cols:
            raise ParameterError(f"hide: {col!r} is not a count column; count columns: "
                                 f"{cells_cols}")
        forced += [int(r) * n_cols + cells_cols.index(col)
                   for r in np.flatnonzero(np.asarray(mask, dtype=bool))]
    hidden[forced] = True
    lines = _table_lines(df, counts, cells_cols, by_cols, margins)
    _, unprotected = (_protect(values, hidden, lines, zeros=suppress_zeros) if lines
                      else (0, []))
    margin = Margin(min_cell) if margin is None else margin
    _, exposed = (protect_intervals(values, hidden, lines, margin, zeros_shown=not suppress_zeros,
                                    forced=forced) if lines else (0, []))
    unprotected = sorted(set(unprotected) | set(exposed))
    suppressed = hidden & ~missing
    grid = suppressed.reshape(n_rows, n_cols) if n_rows else np.zeros((0, n_cols), dtype=bool)
    out, masks = _hide_cells(df, grid, cells_cols, derived, flags)
    n_suppressed = int(suppressed.sum())
    out.attrs["suppression"] = {
        "min_cell": min_cell,
        "primary": int(primary.sum()),
        "secondary": n_suppressed - int(primary.sum()),
        "derived_hidden": int(sum(masks[k].sum() for k in derived)),
        "suppress_zeros": bool(suppress_zeros),
        "unprotected": [(c // n_cols, cells_cols[c % n_cols]) for c in unprotected],
    }
    return out, n_suppressed, Published(cells_cols, values, hidden.copy(), lines,
                                        not suppress_zeros)


def suppress_measures(df: pd.DataFrame, *, min_cell: int = DEFAULT_MIN_CELL, count_cols=("n",),
                      derived=MEASURE_DERIVED, flags: str | None = "marker",
                      complement: bool = True, together: str | None = None
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
        (e.g. respondents who felt safer) so that a small numerator hides the row's figures.
    derived : sequence of str
        Columns hidden with the count (those present in ``df``; counts excluded).
    flags : {"marker", "columns", None}, default "marker"
        As in :func:`suppress_table`.
    complement : bool, default True
        The complement rule: where a row has ``numerator`` and ``denominator`` counting people,
        a difference from 1 to ``min_cell - 1`` (86% of 58 implies that 8 did not) hides the
        row's figures and numerator as a small count would.
    together : str, optional
        A column whose equal values mark rows resting on the same people (e.g. ``measure``
        for a rate and its worst and best cases): a row hidden by the complement rule hides
        the others of its group.

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
    out, n = suppress_table(df, count_cols=counts, min_cell=min_cell, totals=False,
                            derived=bases, flags=flags)
    rows = _complement_rows(df, min_cell, together) if complement else np.zeros(len(df), bool)
    if rows.any():
        hide = [c for c in [*bases, "numerator"] if c in out.columns]
        for c in hide:
            newly = rows & out[c].notna().to_numpy()
            n += int(newly.sum()) if c in counts else 0
            out[c] = _hide(out[c], rows)
            if flags == "columns":
                out[f"{c}_suppressed"] = out.get(f"{c}_suppressed", False) | rows
        if flags == "marker":
            out["suppressed"] = out["suppressed"].to_numpy(dtype=bool) | rows
        out.attrs["suppression"]["complement_rows"] = int(rows.sum())
    return out, n


def _complement_rows(df: pd.DataFrame, min_cell: int, together: str | None) -> np.ndarray:
    """Rows whose denominator minus numerator is from 1 to ``min_cell - 1`` (and their group)."""
    if "numerator" not in df.columns or "denominator" not in df.columns:
        return np.zeros(len(df), dtype=bool)
    gap = (pd.to_numeric(df["denominator"], errors="coerce")
           - pd.to_numeric(df["numerator"], errors="coerce")).to_numpy(dtype=float)
    rows = ~np.isnan(gap) & (gap >= 1) & (gap < min_cell)
    if together is not None and rows.any():
        _need_columns(df, [together], "together")
        groups = set(df.loc[rows, together])
        rows |= df[together].isin(groups).to_numpy()
    return rows


def suppress_steps(df: pd.DataFrame, *, count_cols, min_cell: int = DEFAULT_MIN_CELL
                   ) -> tuple[pd.DataFrame, int]:
    """Hide counts of a nested sequence (attrition) whose step from the last shown is small.

    Each row counts a subset of the people of the row before (e.g. submitted, with complete
    follow-up, matched, analysed), so the difference between two shown rows is itself a count
    of people. Going down each column, a count is hidden when it is from 1 to ``min_cell - 1``
    or when it is 1 to ``min_cell - 1`` below the last count shown; the next count is then
    compared with that last shown one. Every difference a reader can form between shown counts
    is 0 or at least ``min_cell``, and a hidden count lies between two shown ones that differ
    by 0 or at least ``min_cell``.

    Parameters
    ----------
    df : DataFrame
        One row per stage, in order.
    count_cols : str or list of str
        The columns of nested counts.
    min_cell : int, default 10

    Returns
    -------
    table : DataFrame
        With ``<col>_suppressed`` flags.
    n_suppressed : int
    """
    min_cell = _check_min_cell(min_cell)
    cols = _as_list(count_cols, "count_cols")
    _need_columns(df, cols, "count_cols")
    out, n = df.copy(), 0
    for c in cols:
        v = _counts(df, c)
        mask = np.zeros(len(df), dtype=bool)
        last = None
        for i, x in enumerate(v):
            if np.isnan(x):
                continue
            step = None if last is None else last - x
            if 0 < x < min_cell or (step is not None and 0 < step < min_cell):
                mask[i] = True
            else:
                last = x
        out[c] = _hide(out[c], mask)
        out[f"{c}_suppressed"] = mask
        n += int(mask.sum())
    out.attrs["suppression"] = {"min_cell": min_cell, "steps_hidden": n}
    return out, n


def suppress_curve(df: pd.DataFrame, *, n_col: str = "n_at_risk", min_cell: int = DEFAULT_MIN_CELL,
                   value_cols: Sequence[str] | None = None, people_col: str | None = "n_people",
                   event_col: str | None = None) -> pd.DataFrame:
    """Hide the points of a curve resting on fewer than ``min_cell`` people.

    Parameters
    ----------
    df : DataFrame
        One row per curve point, e.g. :func:`iomlib.measures.curves.risk_by_month` (``month``,
        ``group``, ``mean``, ``ci_low``, ``ci_high``, ``n_at_risk``, ``n_people``).
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
