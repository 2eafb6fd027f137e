"""A short message for many problems: one line per table and column, a few examples, the fix.

A real extract with every date written ``DD/MM/YYYY`` has one problem per row; listing them all
buries the cause. :func:`summarize_problems` leads instead with one line per table, column and
issue (``offences.csv, column offence_date: 1,333 of 1,333 rows: dates look like DD/MM/YYYY;
expected YYYY-MM-DD``), then the first few problems as examples (file, row, column, value) with a
count of the rest, then how to fix what was found. The message stays short whatever the number of
bad rows (about 30 lines at most).

:func:`date_shape` names the way a set of non-ISO date values is written.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

GROUPS_SHOWN = 12
EXAMPLES_PER_GROUP = 3
EXAMPLES_SHOWN = 10
NOT_A_DATE = "is not a date"
DAYFIRST_HINT = ("if the dates are day-first (DD/MM/YYYY, also DD-MM-YYYY or DD.MM.YYYY), read "
                 "them with `iom validate --dayfirst` (in Python: load_dataset(source, "
                 "dayfirst=True) or open_dataset(source, dayfirst=True))")

_DMY = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2}"
                  r"(?:\.\d+)?)?)?$")
_YMD_OTHER = re.compile(r"^\d{4}([/.])\d{1,2}\1\d{1,2}(?:[ T].*)?$")
_SERIAL = re.compile(r"^\d{4,5}(?:\.\d+)?$")
_MONTH_NAME = re.compile(r"^\d{1,2}[ -]?[A-Za-z]{3,9}[ -]?\d{2,4}$|^[A-Za-z]{3,9} \d{1,2},? \d{4}$")


def _numeric_shape(matches: list[re.Match]) -> str:
    """``DD/MM/YYYY``, ``MM/DD/YYYY`` or ambiguous, from day-month-year matches."""
    sep = matches[0].group(2)
    year = "YYYY" if all(len(m.group(4)) == 4 for m in matches) else "YY"
    first_big = any(int(m.group(1)) > 12 for m in matches)
    second_big = any(int(m.group(3)) > 12 for m in matches)
    dmy, mdy = f"DD{sep}MM{sep}{year}", f"MM{sep}DD{sep}{year}"
    if first_big and not second_big:
        return dmy
    if second_big and not first_big:
        return mdy
    if not first_big and not second_big:
        return f"{dmy} or {mdy} (no day above 12, so it cannot be told which)"
    return f"{dmy} and {mdy} mixed"


def date_shape(values: Iterable[str]) -> str | None:
    """How most of ``values`` (text that is not an ISO date) are written, or ``None``.

    Parameters
    ----------
    values : iterable of str
        Raw date texts that failed to read as ``YYYY-MM-DD``.

    Returns
    -------
    str or None
        E.g. ``"DD/MM/YYYY"``, ``"MM/DD/YYYY"``, ``"DD/MM/YYYY or MM/DD/YYYY (...)"``,
        ``"YYYY/MM/DD"``, ``"Excel day numbers"``, ``"day and month name"``; ``None`` when no
        shape covers at least half of the non-empty values.
    """
    values = [v for v in values if isinstance(v, str) and v.strip()]
    if not values:
        return None
    half = len(values) / 2
    dmy = [m for m in (_DMY.match(v.strip()) for v in values) if m]
    if len(dmy) >= half:
        return _numeric_shape(dmy)
    ymd = [m for m in (_YMD_OTHER.match(v.strip()) for v in values) if m]
    if len(ymd) >= half:
        sep = ymd[0].group(1)
        return f"YYYY{sep}MM{sep}DD"
    if sum(bool(_SERIAL.match(v.strip())) for v in values) >= half:
        return "Excel day numbers (e.g. 43538)"
    if sum(bool(_MONTH_NAME.match(v.strip())) for v in values) >= half:
        return "day and month name (e.g. 14 Mar 2019)"
    return None


def _n(x: int) -> str:
    return f"{x:,}"


def _group_key(p) -> tuple:
    return (p.table, p.label or p.table, p.column, p.issue)


def _common_expected(group: list) -> str:
    """The ``expected`` of a group; a per-row detail in parentheses is dropped if it varies."""
    first = group[0].expected
    if all(p.expected == first for p in group):
        return first
    return first.split(" (")[0]


def _group_line(group: list, rows_read: Mapping[str, int]) -> str:
    p = group[0]
    n_rows = len({q.row for q in group})
    total = rows_read.get(p.table)
    count = f"{_n(n_rows)} of {_n(total)} rows" if total else f"{_n(n_rows)} rows"
    expected = _common_expected(group)
    body = f"value {p.issue}"
    if p.issue == NOT_A_DATE:
        shape = date_shape(str(q.value) for q in group)
        if shape:
            body = f"dates look like {shape}"
    return f"{p.label or p.table}, column {p.column}: {count}: {body}; expected {expected}"


def _fixes(groups: list[list], dayfirst: bool) -> list[str]:
    """How to fix what was found, one line per kind of problem."""
    issues = {g[0].issue for g in groups}
    shapes = {date_shape(str(q.value) for q in g) or "" for g in groups
              if g[0].issue == NOT_A_DATE}
    fixes = []
    if NOT_A_DATE in issues:
        fixes.append("- dates: write every date as YYYY-MM-DD (in Excel: Format Cells > Custom > "
                     "yyyy-mm-dd before saving as CSV)")
        if any(s.startswith("DD") for s in shapes) and not dayfirst:
            fixes.append("- " + DAYFIRST_HINT)
        if any(s.startswith("MM") for s in shapes):
            fixes.append("- month-first dates (MM/DD/YYYY) are not read: convert them to "
                         "YYYY-MM-DD")
    if "is not true/false" in issues:
        fixes.append("- true/false columns: write true/false (also yes/no, y/n, 1/0, t/f)")
    if "is not in people" in issues:
        fixes.append("- person_id: every person_id must be a row of people (same identifier "
                     "scheme in every table)")
    if any("is missing" in i for i in issues):
        fixes.append("- missing values: fill them in, or leave the row out of the extract")
    return fixes


def summarize_problems(problems: Iterable, rows_read: Mapping[str, int] | None = None, *,
                       dayfirst: bool = False) -> str:
    """Problems as a short message: one line per table and column, examples, how to fix.

    Parameters
    ----------
    problems : iterable of Problem
        As returned by :func:`iomlib.data.validate.validate_tables`, in table order.
    rows_read : mapping of str to int, optional
        Rows read per table (``{"offences": 1333}``), for the ``"n of N rows"`` counts.
    dayfirst : bool, default False
        Whether day-first dates were already allowed (then the day-first hint is not offered).

    Returns
    -------
    str
        Lines: one line per (table, column, issue) of the row problems (at most
        :data:`GROUPS_SHOWN`, then a count), then the problems of whole tables; ``First
        examples:`` and up to :data:`EXAMPLES_PER_GROUP` problems per group (at most
        :data:`EXAMPLES_SHOWN`) with a count of the rest; ``How to fix:`` and one line per kind
        of problem found.
    """
    problems = list(problems)
    rows_read = rows_read or {}
    whole = [p for p in problems if p.row is None]
    groups: dict[tuple, list] = {}
    for p in problems:
        if p.row is not None:
            groups.setdefault(_group_key(p), []).append(p)
    rows = list(groups.values())
    lines = [_group_line(g, rows_read) for g in rows[:GROUPS_SHOWN]]
    if len(rows) > GROUPS_SHOWN:
        lines.append(f"... and {len(rows) - GROUPS_SHOWN} more kinds of problem")
    lines += [str(p) for p in whole]
    if rows:
        examples = [p for g in rows for p in g[:EXAMPLES_PER_GROUP]][:EXAMPLES_SHOWN]
        lines.append("First examples:")
        lines += [f"  {p}" for p in examples]
        rest = sum(len(g) for g in rows) - len(examples)
        if rest:
            lines.append(f"  ... and {_n(rest)} more row problem{'s' if rest != 1 else ''}")
    fixes = _fixes(rows, dayfirst)
    if fixes:
        lines.append("How to fix:")
        lines += fixes
    return "\n".join(lines)
