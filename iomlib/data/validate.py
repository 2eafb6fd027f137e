"""Validation of raw tables against the data model, with a data-quality ledger.

:func:`validate_tables` turns raw tables (as read by :func:`iomlib.data.sources.read_tables`, or
any ``DataFrame`` whose columns follow :mod:`iomlib.data.schema`) into typed, clean tables, a
ledger of the rows read, used and excluded, and a list of every :class:`Problem` found.

Row numbers
-----------
Every row number in a :class:`Problem` and in the ledger is the number of the row **as the user
sees it in a spreadsheet or text editor, with the header as row 1**: the first data row is row 2.
For a CSV file this is the line number (assuming no quoted field spans several lines); for an Excel
sheet it is the sheet's row number. It is computed as ``index + 2`` from the raw table's integer
index, which :func:`iomlib.data.sources.read_tables` keeps aligned with the file (blank lines that
were skipped keep their number). A table with a non-integer or non-unique index is numbered by
position (``position + 2``). For Parquet and SQL tables the number is the position + 2, i.e. the
row number the table would have if exported to CSV with a header.

Policy
------
``"error"`` (the dataset cannot be used)
    a required table or column is missing; ``people``, ``episodes`` or ``offences`` has no rows (or
    no usable rows); a ``person_id`` appears twice in ``people``; more than ``max_bad_fraction`` of
    a table's rows would be excluded for a problem of their own (any of the row problems below;
    rows excluded only because their person was excluded from ``people`` are not counted) -- a
    sign of a wrong format, column mapping or identifier scheme rather than of a few bad
    records.
``"excluded"`` (the row is dropped and counted in the ledger)
    a value that cannot be read as its kind (date, whole number, number, true/false); a missing
    value in a column that may not be empty; a value not in the allowed list (including an
    offence category not in ``config.categories``); a value out of range (e.g. ``birth_year``
    outside the schema range or after the current year); a date in the future (after ``today``)
    or before 1900; a date-order violation (``Table.date_order``); a ``person_id`` not found among
    the usable rows of ``people``; a repeated key (``Table.key``) in any table but ``people``
    (the first row is kept).
``"set aside"`` (the row is dropped by definition and counted in the ledger)
    an oddity of real extracts that is handled, not an error (:mod:`iomlib.data.oddities`).
    Set-aside rows do not count towards ``max_bad_fraction``; strict mode accepts them. No
    oddity sets rows aside at present: they keep their rows and add a ledger note (``reason``
    starting ``"note: "``, ``rows_excluded`` 0): same-day repeats of an offence under another
    ``offence_id``, open episodes with a removal reason (the reason is emptied), overlapping
    custody spells, adoption while in custody, people with no offences, offences before the
    earliest selection-matrix version.
``"ignored"`` (a note only)
    a column (or table) that is not part of the data model; it is left out of the typed table.

A row with several problems is listed once per problem, but counted once in the ledger, under the
first reason found (columns in schema order, then keys, date order and references), so that the
per-reason counts of a table add up to its ``rows_excluded``.
"""
from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from iomlib.config.settings import Config, default_config
from iomlib.data.dataset import LEDGER_COLUMNS
from iomlib.data.hashdup import duplicated_rows
from iomlib.data.oddities import handle_oddities
from iomlib.data.schema import TABLES, Column, Table


def _pandera():
    """The pandera module, imported on first use (it is slow to import and not needed to
    report an unreadable source)."""
    try:  # pandera >= 0.24 splits the pandas backend out
        import pandera.pandas as pa
    except ImportError:  # pragma: no cover - older pandera
        import pandera as pa
    return pa

ACTIONS = ("error", "excluded", "set aside", "ignored")
MUST_HAVE_ROWS = ("people", "episodes", "offences")
EARLIEST_DATE = pd.Timestamp("1900-01-01")
ROWS_SHOWN = 20
DAYFIRST_FORMAT = "YYYY-MM-DD or DD/MM/YYYY (day first, as dayfirst asks)"
_LATEST = pd.Timestamp.max.floor("D")
_EARLIEST = pd.Timestamp.min.ceil("D")

_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DAYFIRST_RE = (r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})"
                r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_INT_RE = re.compile(r"^[+-]?\d{1,15}(?:\.0*)?$")


@dataclass
class Problem:
    """One problem found in the data.

    Parameters
    ----------
    table : str
        Table name (a key of :data:`iomlib.data.schema.TABLES`).
    row : int or None
        Row number as the user sees it, header = row 1 (see the module docstring); ``None`` for a
        problem of the whole table or column.
    column : str or None
        Column concerned, if any.
    value : object
        The offending raw value as text (``None`` for table-level problems).
    expected : str
        What a valid value (or table) looks like.
    action : {"error", "excluded", "ignored"}
        ``"error"``: the dataset cannot be used; ``"excluded"``: the row is dropped and counted in
        the ledger; ``"ignored"``: a note about input left out (unknown columns).
    issue : str
        What is wrong, e.g. ``"is not a date"``; with ``column`` it forms the ledger reason.
    label : str
        How the table is named in messages, e.g. ``"offences.csv"``; defaults to ``table``.
    """

    table: str
    row: int | None
    column: str | None
    value: object
    expected: str
    action: str
    issue: str = "is not valid"
    label: str = ""

    @property
    def reason(self) -> str:
        """Short ledger reason, e.g. ``"offence_date is not a date"``."""
        return f"{self.column} {self.issue}" if self.column else self.issue

    def __str__(self) -> str:
        head = self.label or self.table
        if self.row is not None:
            head += f" row {self.row}"
        if self.column:
            head += f", column {self.column}"
        if self.row is None:
            body = self.issue
        elif self.value is None or (isinstance(self.value, str) and self.value == ""):
            body = f"value {self.issue}"
        else:
            body = f"value {self.value!r} {self.issue}"
        return f"{head}: {body}; expected {self.expected}"


def format_problems(problems: Iterable[Problem], limit: int | None = None) -> str:
    """Format problems one per line.

    Parameters
    ----------
    problems : iterable of Problem
    limit : int, optional
        Show at most this many lines, followed by a line counting the rest.

    Returns
    -------
    str
        The formatted lines, or ``"no problems"`` when there are none.
    """
    problems = list(problems)
    if not problems:
        return "no problems"
    shown = problems if limit is None else problems[:limit]
    lines = [str(p) for p in shown]
    rest = len(problems) - len(shown)
    if rest > 0:
        lines.append(f"... and {rest} more problem{'s' if rest != 1 else ''}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# raw values as text


def _cell_text(x) -> str:
    """One raw cell as stripped text; missing values become ``""``."""
    if x is None or x is pd.NA or x is pd.NaT:
        return ""
    if isinstance(x, str):
        return x.strip()
    if isinstance(x, (bool, np.bool_)):
        return "true" if x else "false"
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if isinstance(x, (float, np.floating)):
        x = float(x)
        if np.isnan(x):
            return ""
        if x.is_integer() and abs(x) < 2 ** 53:
            return str(int(x))
        return repr(x)
    if isinstance(x, (pd.Timestamp, np.datetime64)) or hasattr(x, "isoformat"):
        try:
            ts = pd.Timestamp(x)
        except (TypeError, ValueError):
            return str(x).strip()
        if ts is pd.NaT:
            return ""
        if ts == ts.normalize():
            return ts.strftime("%Y-%m-%d")
        return ts.isoformat(sep=" ")
    return str(x).strip()


def _text_column(s: pd.Series) -> pd.Series:
    """A raw column of any dtype as stripped text (``""`` for missing), on the same index."""
    if pd.api.types.is_bool_dtype(s) and not s.isna().any():
        return s.map({True: "true", False: "false"}).astype(object)
    if pd.api.types.is_integer_dtype(s):
        text = s.astype(str).astype(object)     # nullable Int64: <NA> becomes ""
        return text.where(s.notna(), "") if s.isna().any() else text
    if pd.api.types.is_datetime64_dtype(s) and getattr(s.dtype, "tz", None) is None:
        return _stamp_text(s).where(s.notna(), "").astype(object)
    if s.dtype == object:
        inferred = pd.api.types.infer_dtype(s, skipna=True)      # C loop over the cells
        if inferred == "string":             # all str, or str and missing (None, NaN, NaT)
            missing = s.isna()
            return _strip(s.where(~missing, "") if missing.any() else s)
        if inferred == "empty":              # every cell missing
            return pd.Series("", index=s.index, dtype=object)
        kinds = s.map(type)
        if kinds.eq(str).all():
            return _strip(s)
        return _mixed_text(s, kinds)
    return s.astype(object).map(_cell_text).astype(object)


def _strip(s: pd.Series) -> pd.Series:
    """``s.str.strip()`` of a column of str, without making new strings when none needs it
    (the common case: millions of identifiers and codes; checked with Arrow)."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        arr = pa.array(s.to_numpy(dtype=object), type=pa.string())
        ends = pc.unique(pa.concat_arrays([pc.utf8_slice_codeunits(arr, 0, 1),
                                           pc.utf8_slice_codeunits(arr, -1, 2 ** 31 - 1)]))
        if not any(c and c.isspace() for c in ends.to_pylist()):   # Python's whitespace
            return s.copy()
    except (ImportError, pa.ArrowException, TypeError, ValueError):
        pass
    return s.str.strip()


def _matches(t: pd.Series, pattern: str) -> pd.Series:
    """``t.str.match(pattern)`` (patterns anchored ``^...$``) for text ``t``, with Arrow's
    regular expressions (RE2, the same syntax for these patterns) when possible."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        arr = pa.array(t.to_numpy(dtype=object), type=pa.string())
        if pc.all(pc.string_is_ascii(arr)).as_py() is not False:   # \d: the same digits
            hit = pc.match_substring_regex(arr, pattern).to_numpy(zero_copy_only=False)
            return pd.Series(hit.astype(bool), index=t.index)
    except (ImportError, pa.ArrowException, TypeError, ValueError):
        pass
    return t.str.match(pattern).fillna(False).astype(bool)


def _mixed_text(s: pd.Series, kinds: pd.Series) -> pd.Series:
    """:func:`_cell_text` of an object column of mixed cells (a typed workbook or database),
    vectorised for the common kinds (text, whole numbers, date-times), cell by cell otherwise."""
    out = pd.Series("", index=s.index, dtype=object)
    done = s.isna().to_numpy() & ~kinds.isin([str]).to_numpy()     # None, NaN, NaT: ""
    text = kinds.eq(str).to_numpy()
    if text.any():
        out[text] = _strip(s[text])
    whole = kinds.isin([int, np.int64]).to_numpy()
    if whole.any():
        try:
            out[whole] = s[whole].astype(np.int64).astype(str)
        except OverflowError:                               # beyond 64 bits
            out[whole] = s[whole].map(_cell_text)
    stamp = kinds.isin([datetime.datetime, pd.Timestamp]).to_numpy() & ~done
    if stamp.any():
        out[stamp] = _stamp_text(s[stamp])
    rest = ~(done | text | whole | stamp)
    if rest.any():
        out[rest] = s[rest].map(_cell_text)
    return out


def _stamp_text(s: pd.Series) -> pd.Series:
    """Date-times as :func:`_cell_text` writes them: the day at midnight, else ISO with a space."""
    try:
        dt = pd.DatetimeIndex(pd.to_datetime(s.to_numpy(), errors="raise"))
    except (ValueError, TypeError, OverflowError):          # e.g. outside datetime64[ns]
        return s.map(_cell_text)
    if dt.tz is not None:
        return s.map(_cell_text)
    day = dt.floor("D")
    midnight = np.asarray(dt == day) | np.asarray(dt.isna())
    # YYYY-MM-DD from the day number (strftime is slow on millions of dates)
    text = np.asarray(np.datetime_as_string(day.to_numpy().astype("datetime64[D]")), dtype=object)
    if not midnight.all():
        text[~midnight] = [ts.isoformat(sep=" ") for ts in dt[~midnight]]
    return pd.Series(text, index=s.index)


def _row_numbers(df: pd.DataFrame) -> np.ndarray:
    idx = df.index
    if len(idx) and pd.api.types.is_integer_dtype(idx) and idx.is_unique:
        return np.asarray(idx, dtype=np.int64) + 2
    return np.arange(len(idx), dtype=np.int64) + 2


# --------------------------------------------------------------------------------------------
# parsing text into typed values: each returns (values, ok); ok is True for empty text


def _dayfirst_as_iso(t: pd.Series) -> pd.Series:
    """``DD/MM/YYYY`` (also ``-`` or ``.``, one-digit day or month) rewritten ``YYYY-MM-DD``;
    other text unchanged (a month above 12 then fails as an ISO date would)."""
    parts = t.str.extract(_DAYFIRST_RE)
    hit = parts[0].notna()
    if not hit.any():
        return t
    iso = parts[3] + "-" + parts[2].str.zfill(2) + "-" + parts[0].str.zfill(2)
    return t.where(~hit, iso)


def _parse_date(t: pd.Series, dayfirst: bool = False) -> tuple[pd.Series, pd.Series]:
    if dayfirst:
        return _parse_date(_dayfirst_as_iso(t))
    shape = _matches(t, _DATE_RE.pattern)
    day = t.str.slice(0, 10).where(shape)
    vals = pd.to_datetime(day, format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")
    # real calendar dates outside datetime64[ns] (years before 1677 or after 2262) are clipped
    # to its bounds so that the range checks report them as too early or in the future
    odd = shape & vals.isna()
    for i in np.flatnonzero(odd.to_numpy()):
        try:
            d = datetime.date.fromisoformat(day.iat[i])
        except ValueError:
            continue
        vals.iat[i] = _LATEST if d.year > 2000 else _EARLIEST
    return vals, (shape & vals.notna()) | (t == "")


def _parse_int(t: pd.Series) -> tuple[pd.Series, pd.Series]:
    shape = _matches(t, _INT_RE.pattern)
    vals = pd.to_numeric(t.where(shape), errors="coerce").astype(float)
    return vals, (shape & vals.notna()) | (t == "")


def _parse_float(t: pd.Series) -> tuple[pd.Series, pd.Series]:
    vals = pd.to_numeric(t.where(t != ""), errors="coerce").astype(float)
    return vals, np.isfinite(vals) | (t == "")


def _parse_bool(t: pd.Series) -> tuple[pd.Series, pd.Series]:
    low = t.str.lower()
    is_true, is_false = low.isin(_TRUE).to_numpy(), low.isin(_FALSE).to_numpy()
    vals = pd.Series(np.where(is_true, True, np.where(is_false, False, None)), index=t.index,
                     dtype=object)
    return vals, vals.notna() | (t == "")


_PARSERS: dict[str, Callable] = {"date": _parse_date, "int": _parse_int, "float": _parse_float,
                                 "bool": _parse_bool}
_TYPE_ISSUE = {"date": "is not a date", "int": "is not a whole number", "float": "is not a number",
               "bool": "is not true/false"}


def _fmt_num(x) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _describe(col: Column, allowed: tuple | None, dayfirst: bool = False) -> str:
    """What a valid value of ``col`` looks like."""
    if col.kind == "date":
        return DAYFIRST_FORMAT if dayfirst else "YYYY-MM-DD"
    if col.kind == "bool":
        return "true or false (also yes/no, 1/0, t/f, y/n)"
    if col.kind == "category":
        if col.name == "offence_category":
            return "an offence category of the severity table: " + ", ".join(allowed)
        return "one of " + ", ".join(allowed)
    if col.kind in ("int", "float"):
        what = "a whole number" if col.kind == "int" else "a number"
        if col.min is not None and col.max is not None:
            return f"{what} from {_fmt_num(col.min)} to {_fmt_num(col.max)}"
        if col.min is not None:
            return f"{what} of at least {_fmt_num(col.min)}"
        if col.max is not None:
            return f"{what} of at most {_fmt_num(col.max)}"
        return what
    if col.kind == "id":
        return "an identifier (non-empty text)"
    return "non-empty text"


def _allowed(col: Column, cfg: Config) -> tuple | None:
    """Allowed values of a category column; offence categories come from the configuration."""
    if col.kind == "category" and col.allowed is None and col.name == "offence_category":
        return tuple(cfg.categories)
    return col.allowed


@dataclass
class _Rule:
    name: str
    issue: str
    expected: str
    # column -> True where the value is fine (a NumPy bool array); empty text counts as fine
    fn: Callable[[_Col], np.ndarray]


def _type_ok(c: _Col) -> np.ndarray:
    return c.ok


def _fine_values(c: _Col, test) -> np.ndarray:
    """True where a value did not parse, is missing, or passes ``test`` (a rule on values)."""
    vals = c.vals
    fine = ~c.ok | vals.isna().to_numpy()
    return fine | np.asarray(test(vals), dtype=bool)


def _rules(table: Table, col: Column, cfg: Config, today: pd.Timestamp,
           dayfirst: bool = False) -> list[_Rule]:
    """Row-level checks of one column, in the order they are reported."""
    allowed = _allowed(col, cfg)
    desc = _describe(col, allowed, dayfirst)
    rules: list[_Rule] = []
    if col.kind in _PARSERS:
        rules.append(_Rule("type", _TYPE_ISSUE[col.kind], desc, _type_ok))
    if col.kind == "category" and allowed is not None:
        ok_set = set(allowed)
        issue = ("is not a known offence category" if col.name == "offence_category"
                 else "is not an allowed value")
        rules.append(_Rule("allowed", issue, desc,
                           lambda c: c.text.isin(ok_set).to_numpy(dtype=bool) | c.empty))
    if col.kind in ("int", "float") and (col.min is not None or col.max is not None):
        lo = -np.inf if col.min is None else col.min
        hi = np.inf if col.max is None else col.max
        rules.append(_Rule("range", "is out of range", desc,
                           lambda c: _fine_values(c, lambda v: v.between(lo, hi))))
    if table.name == "people" and col.name == "birth_year":
        year = today.year
        rules.append(_Rule("future", "is in the future",
                           f"a year no later than the current year ({year})",
                           lambda c: _fine_values(c, lambda v: v <= year)))
    if col.kind == "date":
        rules.append(_Rule("future", "is in the future",
                           f"a date no later than today ({today:%Y-%m-%d})",
                           lambda c: _fine_values(c, lambda v: v <= today)))
        rules.append(_Rule("too_early", "is before 1900",
                           f"a date on or after {EARLIEST_DATE:%Y-%m-%d}",
                           lambda c: _fine_values(c, lambda v: v >= EARLIEST_DATE)))
    return rules


# --------------------------------------------------------------------------------------------
# one column: text, emptiness and parsed values


class _Col:
    """One raw column as the checks see it.

    ``text`` is the column as stripped text (``""`` for a missing cell), ``empty`` a NumPy bool
    array (text ``""``), and for typed kinds ``vals`` (a Series: dates, floats, booleans;
    missing where the text did not parse) and ``ok`` (a NumPy bool array: the text parsed, or
    is empty). A column that already holds typed values of its kind (dates, booleans or numbers
    from Parquet, a database or a workbook) is checked on those values directly, with exactly
    the results parsing its text would give; its text, which then only the messages need, is
    made on first use (:meth:`text_at` for one cell).
    """

    def __init__(self, raw: pd.Series, col: Column, dayfirst: bool = False):
        self.raw = raw
        self._text: pd.Series | None = None
        fast = _typed_values(raw, col.kind)
        if fast is not None:
            self.vals, self.ok, self.empty = fast
            return
        t = self.text
        self.empty = t.to_numpy(dtype=object) == ""
        self.vals, self.ok = None, None
        if col.kind in _PARSERS:
            vals, ok = (_parse_date(t, dayfirst) if col.kind == "date"
                        else _PARSERS[col.kind](t))
            self.vals, self.ok = vals, np.asarray(ok, dtype=bool)

    @property
    def text(self) -> pd.Series:
        """The whole column as stripped text (made on first use for a typed column)."""
        if self._text is None:
            self._text = _text_column(self.raw)
        return self._text

    def text_at(self, pos: int) -> str:
        """The text of one cell (the whole column's text is not made for it)."""
        if self._text is not None:
            return self._text.iat[pos]
        return _cell_text(self.raw.iat[pos])


_MASKED = (pd.arrays.IntegerArray, pd.arrays.FloatingArray, pd.arrays.BooleanArray)
_EXACT_FLOAT = 2.0 ** 53     # whole numbers below this are exact as float64 (and as text)


def _typed_values(s: pd.Series, kind: str) -> tuple | None:
    """``(vals, ok, empty)`` of a column whose dtype already is its kind, or None.

    The same as parsing :func:`_text_column` of ``s``: a date-time is its day (its text is
    ``YYYY-MM-DD`` or ISO with the time, both dates); a boolean is itself; a whole number is
    whole within 15 digits (the ``int`` shape) and a number is finite. Other dtypes (text,
    dates outside ``datetime64[ns]``, time zones, whole numbers beyond 2**53) return None and
    go through text.
    """
    dtype = s.dtype
    if not (isinstance(dtype, np.dtype) or isinstance(s.array, _MASKED)):
        return None                 # e.g. Arrow-backed or categorical columns: via text
    if kind not in ("date", "bool", "int", "float"):
        return None
    empty = s.isna().to_numpy(dtype=bool)
    if kind == "date" and dtype.kind == "M":          # NumPy datetime64: no time zone
        try:
            vals = s.astype("datetime64[ns]").dt.floor("D")
        except (ValueError, OverflowError):          # outside datetime64[ns]: via text
            return None
        return vals, np.ones(len(s), dtype=bool), empty
    boolean = pd.api.types.is_bool_dtype(dtype)
    if kind == "bool" and boolean:     # a copy: the clean table never shares the input's cells
        return s.copy(), np.ones(len(s), dtype=bool), empty
    if kind not in ("int", "float") or boolean \
            or not (pd.api.types.is_integer_dtype(dtype) or pd.api.types.is_float_dtype(dtype)):
        return None
    vals = s.astype("float64")
    v = vals.to_numpy()
    finite = np.isfinite(v)
    whole = pd.api.types.is_integer_dtype(dtype)
    if whole and (np.abs(v[finite]) >= _EXACT_FLOAT).any():
        return None
    if kind == "float":
        return vals, finite | empty, empty
    ok = finite & (np.abs(v, where=finite, out=np.full(len(v), np.inf)) < 1e15)
    if not whole:
        ok &= np.floor(v, where=finite, out=np.zeros(len(v))) == v
    return vals.where(ok), ok | empty, empty


# --------------------------------------------------------------------------------------------
# per-table state


@dataclass
class _State:
    name: str
    spec: Table
    label: str
    cols: dict                    # schema column present -> _Col (positional index)
    rows: np.ndarray              # row number of each position
    excluded: dict                # position -> ledger reason (first one found)
    n: int = 0                    # rows read
    typed: pd.DataFrame | None = None
    aside: set = field(default_factory=set)     # positions set aside by definition (oddities)
    notes: list = field(default_factory=list)   # (ledger reason, row numbers) of kept rows

    def kept(self) -> np.ndarray:
        mask = np.ones(self.n, dtype=bool)
        if self.excluded:
            mask[list(self.excluded)] = False
        return mask


class _Collector:
    def __init__(self):
        self.problems: list[Problem] = []

    def table(self, st: _State | str, label: str, column, issue, expected, action="error"):
        name = st.name if isinstance(st, _State) else st
        self.problems.append(Problem(name, None, column, None, expected, action, issue, label))

    def row(self, st: _State, pos: int, column, value, issue, expected, action="excluded"):
        p = Problem(st.name, int(st.rows[pos]), column, value, expected, action, issue, st.label)
        self.problems.append(p)
        st.excluded.setdefault(int(pos), p.reason)


def _label(df: pd.DataFrame, name: str, source: str) -> str:
    label = df.attrs.get("iom_label") if hasattr(df, "attrs") else None
    if label:
        return str(label)
    return f"{name} ({source})" if source else name


def _column_checks(st: _State, names: list[str], cfg: Config, today: pd.Timestamp,
                   out: _Collector, dayfirst: bool = False) -> None:
    spec = st.spec
    rules = {c.name: _rules(spec, c, cfg, today, dayfirst) for c in spec.columns}
    order = {c: i for i, c in enumerate(spec.column_names)}
    for name in names:
        if name not in order:
            out.table(st, st.label, name, "is not a column of the data model and is ignored",
                      "only the columns " + ", ".join(spec.column_names), action="ignored")
    for col in spec.columns:
        if col.required and col.name not in st.cols:
            out.table(st, st.label, col.name, "required column is missing",
                      "columns " + ", ".join(spec.column_names))
    row_cases = _row_cases(spec, rules, st.cols, order)
    rank = {"not_nullable": 0, "type": 1, "allowed": 2, "range": 3, "future": 4, "too_early": 5}
    row_cases.sort(key=lambda c: (c[0], c[1], rank.get(c[2], 9)))
    for pos, _, check, colname in row_cases:
        col = spec.column(colname)
        value = st.cols[colname].text_at(pos)
        if check == "not_nullable":
            out.row(st, pos, colname, "", "is missing",
                    _describe(col, _allowed(col, cfg), dayfirst))
            continue
        rule = next((r for r in rules[colname] if r.name == check), None)
        issue = rule.issue if rule else f"failed check {check}"
        expected = rule.expected if rule else "a valid value"
        out.row(st, pos, colname, value, issue, expected)


def _row_cases(spec: Table, rules: Mapping[str, list[_Rule]], cols: Mapping[str, _Col],
               order: Mapping[str, int]) -> list[tuple]:
    """``(position, column order, check, column)`` of every failed row check, vectorised.

    A missing value fails ``not_nullable`` in a column that may not be empty; the rules are
    not applied to missing values (each rule also accepts empty text).
    """
    cases = []
    for col in spec.columns:
        c = cols.get(col.name)
        if c is None:
            continue
        if not col.nullable:
            cases += [(int(p), order[col.name], "not_nullable", col.name)
                      for p in np.flatnonzero(c.empty)]
        for rule in rules[col.name]:
            bad = ~np.asarray(rule.fn(c), dtype=bool) & ~c.empty
            cases += [(int(p), order[col.name], rule.name, col.name) for p in np.flatnonzero(bad)]
    return cases


def _duplicate_keys(st: _State, out: _Collector) -> None:
    key = st.spec.key
    if key is None or key not in st.cols:
        return
    keys = st.cols[key].text
    present = ~st.cols[key].empty
    dup = _duplicated(keys) & present
    if not dup.any():
        return
    repeated = set(keys[dup])
    firsts = present & ~dup & keys.isin(repeated).to_numpy(dtype=bool)
    first_pos = dict(zip(keys[firsts], np.flatnonzero(firsts)))
    action = "error" if st.name == "people" else "excluded"
    for pos in np.flatnonzero(dup):
        k = keys.iat[pos]
        first = int(st.rows[first_pos[k]])
        out.row(st, pos, key, k, "is a duplicate",
                f"each {key} once (first seen in row {first})", action=action)


def _duplicated(keys: pd.Series) -> np.ndarray:
    """``keys.duplicated(keep="first")`` of text keys, as a NumPy array (hashed first: see
    :mod:`iomlib.data.hashdup`; text keys are their own ``str``)."""
    return duplicated_rows(keys.to_frame())


def _typed(st: _State) -> pd.DataFrame:
    """Typed values of every row (bad values become missing); index = positions."""
    data = {}
    for col in st.spec.columns:
        c = st.cols.get(col.name)
        if c is None:
            if not col.required:
                data[col.name] = pd.Series(np.full(st.n, None, dtype=object))
            continue
        if c.vals is None:
            t = c.text
            vals = t.where(~c.empty, None) if c.empty.any() else t
        else:
            good = c.ok & ~c.empty
            vals = c.vals if good.all() else c.vals.where(good)
            if col.kind == "int":
                vals = vals.round().astype("Int64")
        data[col.name] = vals.reset_index(drop=True) if not isinstance(
            vals.index, pd.RangeIndex) else vals
    return pd.DataFrame(data, index=pd.RangeIndex(st.n), copy=False)


def _final_dtype(s: pd.Series, col: Column) -> pd.Series:
    """A column of the clean table with its final dtype (no copy when it already has it)."""
    if col.kind == "date":
        return s.astype("datetime64[ns]", copy=False)
    if col.kind == "int":
        return s.astype("Int64" if col.nullable else "int64", copy=False)
    if col.kind == "float":
        return s.astype("float64", copy=False)
    if col.kind == "bool":
        return s.astype("boolean" if col.nullable else bool, copy=False)
    return s.astype(object, copy=False)    # text: str, None where empty (see _typed)


def _finish_dtypes(df: pd.DataFrame, spec: Table) -> pd.DataFrame:
    """The columns of ``df`` in schema order with their final dtypes, on a fresh RangeIndex."""
    data = {}
    for col in spec.columns:
        if col.name in df.columns:
            s = _final_dtype(df[col.name], col)
            data[col.name] = s.to_numpy() if isinstance(s.dtype, np.dtype) else s.array
    return pd.DataFrame(data, index=pd.RangeIndex(len(df)), copy=False)


def _date_order(st: _State, out: _Collector) -> None:
    typed = st.typed
    for earlier, later in st.spec.date_order:
        if earlier not in typed.columns or later not in typed.columns:
            continue
        kept = st.kept()
        bad = kept & (typed[later] < typed[earlier]).fillna(False).to_numpy(dtype=bool)
        for pos in np.flatnonzero(bad):
            out.row(st, pos, later, st.cols[later].text_at(pos), f"is before {earlier}",
                    f"a date on or after {earlier} ({typed.at[pos, earlier]:%Y-%m-%d})")


def _references(states: dict[str, _State], out: _Collector) -> None:
    people = states.get("people")
    if people is None or "person_id" not in people.cols:
        return
    ids_of_people = people.cols["person_id"].text
    usable = pd.unique(ids_of_people[people.kept()].to_numpy(dtype=object))
    known = None
    for name, st in states.items():
        if name == "people" or "person_id" not in st.cols:
            continue
        ids = st.cols["person_id"].text
        bad = st.kept() & ~ids.isin(usable).to_numpy(dtype=bool)
        if bad.any() and known is None:
            known = set(ids_of_people)
        for pos in np.flatnonzero(bad):
            pid = ids.iat[pos]
            if pid in known:
                issue = CASCADE_ISSUE
            else:
                issue = "is not in people"
            out.row(st, pos, "person_id", pid, issue, f"a person_id of a usable row of "
                    f"{people.label}")


CASCADE_ISSUE = "refers to a people row that was excluded"
_HINTS = (  # (words of the most common reason, likely cause)
    ("is not in people", ("the person_id values may not match people.person_id (another "
                          "identifier scheme, or an incomplete people file)")),
    ("is before", "the date columns may be swapped or in another format"),
    ("is a duplicate", "rows may have been exported twice"),
    ("is not a date", "the dates may be written in another format than YYYY-MM-DD"),
)


def _too_many_bad(st: _State, max_bad_fraction: float, out: _Collector) -> None:
    """An error when more than ``max_bad_fraction`` of the rows have a problem of their own.

    Rows excluded only because their person was excluded from ``people`` do not count (the
    problem is counted in ``people``).
    """
    if not st.n:
        return
    own: dict[str, int] = {}
    for pos, reason in st.excluded.items():
        if pos not in st.aside and not reason.endswith(CASCADE_ISSUE):
            own[reason] = own.get(reason, 0) + 1
    bad = sum(own.values())
    if bad <= max_bad_fraction * st.n:
        return
    top = sorted(own.items(), key=lambda kv: -kv[1])
    summary = ", ".join(f"{r}: {n:,}" for r, n in top[:3]) + (", …" if len(top) > 3 else "")
    hint = next((h for words, h in _HINTS if words in top[0][0]),
                "the file may use another format or column order")
    out.table(st, st.label, None,
              f"{bad:,} of {st.n:,} rows ({bad / st.n:.0%}) have invalid values ({summary}); "
              f"{hint}",
              f"at most {max_bad_fraction:.0%} of rows with invalid values")


def _rows_text(rows: list[int]) -> str:
    rows = sorted(rows)
    text = ", ".join(str(r) for r in rows[:ROWS_SHOWN])
    return text + (", …" if len(rows) > ROWS_SHOWN else "")


def _ledger(states: dict[str, _State]) -> pd.DataFrame:
    records = []
    for name in TABLES:
        st = states.get(name)
        if st is None:
            continue
        by_reason: dict[str, list[int]] = {}
        for pos, reason in sorted(st.excluded.items()):
            by_reason.setdefault(reason, []).append(int(st.rows[pos]))
        for reason, rows in by_reason.items():
            records.append({"table": name, "rows_read": pd.NA, "rows_used": pd.NA,
                            "rows_excluded": len(rows), "reason": reason,
                            "rows": _rows_text(rows)})
        for reason, rows in st.notes:
            records.append({"table": name, "rows_read": pd.NA, "rows_used": pd.NA,
                            "rows_excluded": 0,
                            "reason": f"{reason}: {len(rows):,} row{'s' if len(rows) != 1 else ''}",
                            "rows": _rows_text(rows)})
        n_excl = len(st.excluded)
        records.append({"table": name, "rows_read": st.n, "rows_used": st.n - n_excl,
                        "rows_excluded": n_excl, "reason": "total",
                        "rows": _rows_text([int(st.rows[p]) for p in st.excluded])})
    ledger = pd.DataFrame.from_records(records, columns=LEDGER_COLUMNS)
    for c in ("rows_read", "rows_used", "rows_excluded"):
        ledger[c] = ledger[c].astype("Int64")
    ledger["table"] = ledger["table"].astype(object)
    ledger["reason"] = ledger["reason"].astype(object)
    ledger["rows"] = ledger["rows"].astype(object)
    return ledger


def validate_tables(tables: Mapping[str, pd.DataFrame], *, config: Config | None = None,
                    source: str = "", max_bad_fraction: float = 0.05, today=None,
                    dayfirst: bool = False,
                    ) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, list[Problem]]:
    """Check raw tables against :mod:`iomlib.data.schema` and return typed, clean tables.

    Column checks (required columns, missing values, types, allowed values, ranges, dates in the
    future) run through a lazily validated pandera schema so that every failure is collected;
    keys, date order and references between tables are checked afterwards. See the module
    docstring for the row numbering and for which problems are errors and which exclude rows.

    Parameters
    ----------
    tables : mapping of str to DataFrame
        Raw tables by name; values may be text (as read from CSV) or already typed (Parquet, Excel,
        SQL). ``df.attrs["iom_label"]``, when set, names the table in messages (e.g. a file name).
    config : Config, optional
        Supplies the allowed offence categories; defaults to :func:`default_config`.
    source : str, optional
        Where the tables came from; used to name tables that carry no label.
    max_bad_fraction : float, default 0.05
        A table in which more than this fraction of rows would be excluded for a problem of their
        own (bad values, repeated keys, dates out of order, unknown ``person_id``) is an error.
    today : date-like, optional
        Reference date for "in the future" checks; defaults to today's date.
    dayfirst : bool, default False
        Also read day-first dates ``DD/MM/YYYY`` (or with ``-`` or ``.``; one-digit day or month;
        four-digit year), as British extracts write them. Off by default: ``03/04/2019`` is
        4 March or 3 April depending on the writer, so such dates are refused (the message says
        the dates look like ``DD/MM/YYYY`` and offers this option) unless asked for.

    Returns
    -------
    tables : dict of str to DataFrame
        Typed tables with the excluded rows removed, columns in schema order, a fresh
        ``RangeIndex``. Dates are ``datetime64[ns]`` (``NaT`` where empty), booleans ``bool``,
        whole numbers ``int64`` (``Int64`` where nullable), numbers ``float64``, identifiers, text
        and categories ``object`` holding ``str`` (``None`` where empty). Optional tables that are
        absent are absent here too; an optional column that is absent is added, all ``None``.
    ledger : DataFrame
        Columns :data:`iomlib.data.dataset.LEDGER_COLUMNS`. Per table, one row per exclusion reason
        (``rows_excluded`` = rows counted under that reason, ``rows`` = their row numbers, the
        first 20 then ``…``, ``rows_read``/``rows_used`` missing), one row per note on kept rows
        (``reason`` ``"note: ...: N rows"``, ``rows_excluded`` 0; see
        :mod:`iomlib.data.oddities`) and one ``reason == "total"`` row with ``rows_read ==
        rows_used + rows_excluded``.
    problems : list of Problem
        Every problem found, table by table in schema order.
    """
    cfg = config if config is not None else default_config()
    today = pd.Timestamp(today if today is not None else pd.Timestamp.today()).normalize()
    out = _Collector()
    for name in tables:
        if name not in TABLES:
            out.table(str(name), str(name), None, "is not a table of the data model and is "
                      "ignored", "tables " + ", ".join(TABLES), action="ignored")
    states: dict[str, _State] = {}
    for name, spec in TABLES.items():
        df = tables.get(name)
        if df is None:
            if not spec.optional:
                out.table(name, name, None, "required table is missing",
                          f"a table named {name!r} with columns " + ", ".join(spec.column_names))
            continue
        states[name] = _check_table(name, spec, df, _label(df, name, source), cfg, today, out,
                                    dayfirst)
    _references(states, out)
    handle_oddities(states, out, cfg)
    for st in states.values():
        _too_many_bad(st, max_bad_fraction, out)
    clean = _clean_tables(states, out)
    table_order = {n: i for i, n in enumerate(TABLES)}
    problems = sorted(out.problems, key=lambda p: table_order.get(p.table, -1))
    return clean, _ledger(states), problems


def _raw_columns(df: pd.DataFrame, name: str, label: str,
                 out: _Collector) -> tuple[list[str], dict[str, pd.Series]]:
    """Stripped column names, and each column (the first of a repeated name) by name, with a
    positional index; a repeated name is reported."""
    names = [str(c).strip() for c in df.columns]
    seen: dict[str, pd.Series] = {}
    dups = sorted({n for i, n in enumerate(names) if n in names[:i]})
    if dups:
        out.table(name, label, ", ".join(dups), "appears more than once", "each column once")
    for i, n in enumerate(names):
        if n not in seen:
            s = df.iloc[:, i]
            seen[n] = s.reset_index(drop=True) if not isinstance(s.index, pd.RangeIndex) \
                or s.index.start != 0 or s.index.step != 1 else s
    return list(dict.fromkeys(names)), seen


def _check_table(name: str, spec: Table, df: pd.DataFrame, label: str, cfg: Config,
                 today: pd.Timestamp, out: _Collector, dayfirst: bool = False) -> _State:
    """The checks of one table on its own: columns, keys, then date order (on typed values)."""
    names, raw = _raw_columns(df, name, label, out)
    cols = {c.name: _Col(raw[c.name], c, dayfirst) for c in spec.columns if c.name in raw}
    st = _State(name, spec, label, cols, _row_numbers(df), {}, n=len(df))
    _column_checks(st, names, cfg, today, out, dayfirst)
    _duplicate_keys(st, out)
    st.typed = _typed(st)
    _date_order(st, out)
    return st


def _clean_tables(states: dict[str, _State], out: _Collector) -> dict[str, pd.DataFrame]:
    """The kept rows of each table with final dtypes; an empty must-have table is an error."""
    clean = {}
    for name, st in states.items():
        kept = st.kept()
        clean[name] = _finish_dtypes(st.typed if kept.all() else st.typed[kept], st.spec)
        if name in MUST_HAVE_ROWS:
            if st.n == 0:
                out.table(st, st.label, None, "table is empty",
                          "at least one data row below the header")
            elif len(clean[name]) == 0:
                out.table(st, st.label, None, f"no usable rows: all {st.n} rows were excluded",
                          "at least one valid data row")
    return clean
