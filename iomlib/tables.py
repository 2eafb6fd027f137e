"""How a table looks in a notebook's HTML output: no row numbers a reader cannot use.

pandas shows a ``DataFrame`` with its index as the first column. For a table whose index is
pandas' row numbers - the default ``0, 1, 2, ...`` or what is left of it after rows were
filtered (``0, 1, 4``) - that column has no heading and no meaning for a reviewer reading the
rendered report, so it is left out. An index that means something is kept: a named index
(``groupby``, ``pivot_table`` and ``value_counts`` name theirs), labels, dates, and whole
numbers that are not row numbers (from 1000 up, such as years, or not increasing).

True/False columns read "yes"/"no": a reviewer reads words, not Python's constants.
"""
from __future__ import annotations

import pandas as pd

ROW_NUMBER_LIMIT = 1000      # an unnamed whole-number index reaching this is kept (years)


def has_row_numbers_only(frame: pd.DataFrame) -> bool:
    """Whether ``frame``'s index is pandas' row numbers: unnamed, whole numbers, strictly
    increasing, from 0 up to below :data:`ROW_NUMBER_LIMIT` (the default ``0, 1, 2, ...`` or a
    filtered part of it)."""
    idx = frame.index
    if idx.name is not None or isinstance(idx, pd.MultiIndex) or len(idx) == 0:
        return False
    if not pd.api.types.is_integer_dtype(idx.dtype):
        return False
    v = idx.to_numpy()
    return bool(v[0] >= 0 and v[-1] < ROW_NUMBER_LIMIT
                and (len(v) == 1 or (v[1:] > v[:-1]).all()))


def yes_no(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its True/False (boolean) columns written "yes"/"no" (the same object when
    it has none)."""
    flags = [c for c, t in frame.dtypes.items() if pd.api.types.is_bool_dtype(t)]
    if not flags:
        return frame
    out = frame.copy()
    for c in flags:
        out[c] = frame[c].map({True: "yes", False: "no"}).astype(object)
    return out


def frame_html(frame: pd.DataFrame) -> str:
    """The notebook HTML of a table, without the index when it is only row numbers and with
    True/False written "yes"/"no" (:func:`yes_no`).

    Otherwise identical to pandas' own notebook output (``DataFrame._repr_html_``: the same
    ``display.max_rows``, ``min_rows``, ``max_columns`` and ``show_dimensions`` options).

    Parameters
    ----------
    frame : DataFrame

    Returns
    -------
    str
    """
    frame = yes_no(frame)
    if not has_row_numbers_only(frame):
        return frame._repr_html_()
    max_rows = pd.get_option("display.max_rows")
    if max_rows is not None and len(frame) > max_rows:   # cut: pandas then shows min_rows
        max_rows = pd.get_option("display.min_rows") or max_rows
    return frame.to_html(notebook=True, index=False, max_rows=max_rows,
                         max_cols=pd.get_option("display.max_columns"),
                         show_dimensions=pd.get_option("display.show_dimensions"))


def running_shell(shell=None):
    """``shell`` if given, else the running IPython shell, or None outside IPython."""
    if shell is not None:
        return shell
    try:
        from IPython import get_ipython
    except ImportError:       # pragma: no cover
        return None
    return get_ipython()


def install(shell=None) -> bool:
    """Show tables in ``shell`` (default: the running IPython) with :func:`frame_html`.

    Parameters
    ----------
    shell : InteractiveShell, optional

    Returns
    -------
    bool
        Whether a formatter was registered (False outside IPython).
    """
    shell = running_shell(shell)
    if shell is None:
        return False
    shell.display_formatter.formatters["text/html"].for_type(pd.DataFrame, frame_html)
    return True
