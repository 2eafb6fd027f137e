"""Argument checks and value formatting shared by the plot modules (not part of the API).

The checks raise ``TypeError`` / ``ValueError`` whose message starts ``<argument>=<value>:``
so that a caller sees at once which argument is wrong.
"""
from __future__ import annotations

import re
from numbers import Real

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from iomlib.plots.theme import SUPPRESSED_LABEL


def check_table(table, arg: str = "table") -> pd.DataFrame:
    """Return ``table`` if it is a DataFrame, else raise ``TypeError`` naming ``arg``.

    Parameters
    ----------
    table : object
        The argument to check.
    arg : str
        Its name, for the message.
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"{arg}: expected a pandas DataFrame, got {type(table).__name__}")
    return table


def check_columns(table: pd.DataFrame, arg_table: str = "table", **cols) -> None:
    """Raise ``ValueError`` unless each ``argument=column`` given names a column of ``table``.

    Parameters
    ----------
    table : DataFrame
        The table the columns should be in.
    arg_table : str
        The table argument's name, for the message.
    **cols : str or None
        ``argument name=column name``; None (an optional column not asked for) is skipped.
    """
    for arg, col in cols.items():
        if col is None:
            continue
        if not isinstance(col, str) or col not in table.columns:
            raise ValueError(f"{arg}={col!r}: not a column of {arg_table}; columns: "
                             f"{list(table.columns)}")


def axes_for(ax, figsize=None) -> Axes:
    """``ax`` when it is an Axes, a new figure's Axes of size ``figsize`` when it is None.

    Parameters
    ----------
    ax : Axes or None
        The caller's ``ax`` argument.
    figsize : (float, float), optional
        Size of a new figure, in inches.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
        return ax
    if not isinstance(ax, Axes):
        raise TypeError(f"ax={ax!r}: expected a matplotlib Axes or None")
    return ax


def positive_int(arg: str, value, minimum: int = 1) -> int:
    """``value`` as an int, or ``ValueError`` unless it is a whole number >= ``minimum``.

    Parameters
    ----------
    arg : str
        The argument's name, for the message.
    value : object
        The argument.
    minimum : int
        The smallest value allowed.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{arg}={value!r}: expected a whole number >= {minimum}")
    return int(value)


def finite_number(arg: str, value, *, allow_none: bool = True):
    """``value`` as a float (None passes when ``allow_none``), or ``ValueError``.

    Parameters
    ----------
    arg : str
        The argument's name, for the message.
    value : object
        The argument.
    allow_none : bool
        Whether None is allowed (and returned).
    """
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, Real) or not np.isfinite(value):
        raise ValueError(f"{arg}={value!r}: expected a finite number")
    return float(value)


def is_missing(v) -> bool:
    """True for a missing value (``None``, ``NaN``, ``pd.NA``): e.g. suppressed for disclosure.

    Parameters
    ----------
    v : object
        One value.
    """
    return v is None or bool(pd.isna(v))


def as_floats(s: pd.Series) -> np.ndarray:
    """A numeric column as floats, missing values (``pd.NA`` of nullable integers too) as NaN.

    Parameters
    ----------
    s : Series
        The column.
    """
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def words(v) -> str:
    """A category for a label: a snake_case code (``reduced_risk``) as words.

    Parameters
    ----------
    v : object
        The category.
    """
    text = str(v)
    if re.fullmatch(r"[a-z]+(?:_[a-z0-9]+)+", text):
        return text.replace("_", " ")
    return text


def count_text(v) -> str:
    """A count for a label: the whole number, or ``[c]`` when it is missing (suppressed).

    Parameters
    ----------
    v : number or missing
        The count.
    """
    return SUPPRESSED_LABEL if is_missing(v) else f"{int(v)}"


def p_value_text(p, hidden: bool = False) -> str:
    """A p-value for a label: ``p = 0.012``, ``p < 0.001``, ``p n/a`` or ``p [c]``.

    Parameters
    ----------
    p : float or missing
        The p-value.
    hidden : bool
        It was suppressed for disclosure control (rather than not computed).
    """
    if hidden:
        return f"p {SUPPRESSED_LABEL}"
    if is_missing(p) or not np.isfinite(p):
        return "p n/a"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def suppressed_mask(table: pd.DataFrame, col: str, *, unflagged: bool = True) -> np.ndarray:
    """Which values of ``col`` were suppressed for disclosure control (positional booleans).

    Uses the flags of :mod:`iomlib.sdc` when present (``<col>_suppressed``, or the row marker
    ``suppressed``); in a table without flags a missing value counts as suppressed when
    ``unflagged`` (counts: a table of counts has no other reason to miss one) and as "not
    available" otherwise (e.g. a p-value that could not be computed).

    Parameters
    ----------
    table : DataFrame
        The table.
    col : str
        The column.
    unflagged : bool
        What a missing value means in a table without flags.
    """
    missing = table[col].isna().to_numpy(dtype=bool)
    for flag in (f"{col}_suppressed", "suppressed"):
        if flag in table.columns:
            return table[flag].astype("boolean").fillna(False).to_numpy(dtype=bool) & missing
    return missing if unflagged else np.zeros(len(table), dtype=bool)


def check_two(arg: str, value, *, what: str, numbers: bool = False) -> None:
    """Raise ``ValueError`` unless ``value`` is a pair (tuple or list of two).

    Parameters
    ----------
    arg : str
        The argument's name, for the message.
    value : object
        The argument.
    what : str
        What the pair should be, for the message (e.g. ``"two strings (before, after)"``).
    numbers : bool
        The pair must be two increasing numbers (else two strings).
    """
    ok = isinstance(value, (tuple, list)) and len(value) == 2
    if ok and numbers:
        ok = all(isinstance(v, Real) for v in value) and value[0] < value[1]
    elif ok:
        ok = all(isinstance(v, str) for v in value)
    if not ok:
        raise ValueError(f"{arg}={value!r}: expected {what}")
