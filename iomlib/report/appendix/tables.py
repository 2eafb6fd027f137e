"""Publication-grade tables: fixed decimals, thousands separators, intervals in words, a dash
for a missing value and ``[c]`` for a suppressed one, each with its footnote."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from iomlib.sdc import SUPPRESSED_SYMBOL

#: Shown for a value that does not exist or was not computed.
DASH = "\u2013"
#: Footnote of :data:`DASH`.
DASH_NOTE = f"{DASH} not available (not computed or not applicable)."
#: Footnote of the suppression marker.
SUPPRESSED_NOTE = (f"{SUPPRESSED_SYMBOL} suppressed for disclosure control: based on fewer "
                   "people than the publication threshold.")


@dataclass
class Table:
    """A formatted table: every cell already text.

    Attributes
    ----------
    caption : str
        Without its number (the document numbers tables).
    columns : list of str
        Column labels, with units.
    rows : list of list of str
    numeric : list of bool
        Right-align the column.
    notes : list of str
        Footnotes (the dash and ``[c]`` notes are added when a cell uses them).
    counts : list of int
        Positions of the columns that are counts of people (for the disclosure audit).
    row_header : bool
        The first column names the row.
    number : int
        Set by the document.
    """

    caption: str
    columns: list
    rows: list
    numeric: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    counts: list = field(default_factory=list)
    row_header: bool = True
    number: int = 0

    def __post_init__(self):
        if not self.numeric:
            self.numeric = [False] * len(self.columns)
        cells = [c for r in self.rows for c in r]
        if any(c == DASH for c in cells) and DASH_NOTE not in self.notes:
            self.notes.append(DASH_NOTE)
        if any(SUPPRESSED_SYMBOL in str(c) for c in cells) and SUPPRESSED_NOTE not in self.notes:
            self.notes.append(SUPPRESSED_NOTE)


def missing(v) -> bool:
    """True for None, NaN and pandas' missing values.

    Parameters
    ----------
    v : object
    """
    if v is None:
        return True
    try:
        return bool(v != v) or (isinstance(v, float) and math.isinf(v))
    except (TypeError, ValueError):
        return str(v) in {"<NA>", "NaT"}


def count(v, suppressed: bool = False) -> str:
    """A count with thousands separators (``[c]`` when suppressed, a dash when missing).

    Parameters
    ----------
    v : number or None
    suppressed : bool
    """
    if suppressed:
        return SUPPRESSED_SYMBOL
    if missing(v):
        return DASH
    return f"{int(round(float(v))):,}"


def number(v, decimals: int = 1, unit: str = "", suppressed: bool = False) -> str:
    """A number with fixed decimals and thousands separators, and its unit (``%``).

    Parameters
    ----------
    v : number or None
    decimals : int
    unit : str
        Appended directly (``"%"``) or after a space (other units).
    suppressed : bool
    """
    if suppressed:
        return SUPPRESSED_SYMBOL
    if missing(v):
        return DASH
    text = f"{float(v):,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    if not unit:
        return text
    return f"{text}%" if unit == "%" else f"{text} {unit}"


def p_value(p) -> str:
    """A p-value: ``< 0.001`` below a thousandth, else three decimals; a dash when missing.

    Parameters
    ----------
    p : float or None
    """
    if missing(p):
        return DASH
    return "< 0.001" if float(p) < 0.001 else f"{float(p):.3f}"


def interval(low, high, decimals: int = 1, unit: str = "%", suppressed: bool = False) -> str:
    """A 95% interval in words: ``-5.1% to 30.0%``; an open end is said, not printed.

    Parameters
    ----------
    low, high : float or None
        The ends, already in the unit shown.
    decimals : int
    unit : str
    suppressed : bool
    """
    if suppressed:
        return SUPPRESSED_SYMBOL
    lo, hi = (None if missing(v) else float(v) for v in (low, high))
    if lo is None and hi is None:
        return DASH
    if hi is None:
        return f"above {number(lo, decimals, unit)} (no upper bound)"
    if lo is None:
        return f"below {number(hi, decimals, unit)} (no lower bound)"
    return f"{number(lo, decimals, unit)} to {number(hi, decimals, unit)}"


def cell(v, decimals: int = 2) -> str:
    """Any value of a data table as text (counts whole, other numbers fixed decimals).

    Parameters
    ----------
    v : object
    decimals : int
        For numbers that are not whole.
    """
    if missing(v):
        return DASH
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int) or (isinstance(v, float) and float(v).is_integer() and abs(v) < 1e15):
        return f"{int(v):,}"
    if isinstance(v, float):
        return number(v, decimals)
    return str(v)
