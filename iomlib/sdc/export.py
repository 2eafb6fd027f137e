"""Tables leaving a public session through files: only checked, suppressed ones.

:meth:`Disclosure.guard` withholds unchecked tables from the notebook's output, but
``DataFrame.to_excel`` or ``to_csv`` would still write the unsuppressed counts of a library
table to a file that is then shared. In a public session :func:`install_export_guard` wraps
those two methods: a checked table (from :meth:`Disclosure.table`, ``measures``, ``curve`` or
``for_display``) is written as it is shown (hidden values as ``[c]``, flag columns dropped),
and any other table is refused with a message naming :func:`export_table`, the way to export a
checked table.
"""
from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd

from iomlib.errors import ParameterError

_ORIGINAL: dict[str, object] = {}


def _checked_version(df: pd.DataFrame, method: str) -> pd.DataFrame:
    """The table as a public reader may see it, or a refusal."""
    check = getattr(df, "attrs", {}).get("disclosure")
    if not check:
        raise ParameterError(
            f"DataFrame.{method}: this public session writes only tables checked by disclosure "
            f"control; pass the table through run.sdc.table (or .measures / .curve) and write "
            f"it with iomlib.sdc.export_table(run.sdc, table, path)")
    if check.get("audience") != "public":
        raise ParameterError(f"DataFrame.{method}: the table was checked for audience "
                             f"{check.get('audience')!r}, not public")
    from iomlib.sdc.suppress import display_table
    shown = display_table(df)
    shown.attrs["disclosure"] = dict(check)
    return shown


def install_export_guard() -> bool:
    """Make ``DataFrame.to_excel`` and ``to_csv`` write only checked tables, suppressed.

    Returns
    -------
    bool
        False when the guard was installed already.
    """
    if _ORIGINAL:
        return False
    for method in ("to_excel", "to_csv"):
        original = getattr(pd.DataFrame, method)
        _ORIGINAL[method] = original

        def guarded(self, *args, _method=method, _original=original, **kwargs):
            return _original(_checked_version(self, _method), *args, **kwargs)

        functools.update_wrapper(guarded, original)
        setattr(pd.DataFrame, method, guarded)
    return True


def remove_export_guard() -> None:
    """Restore ``DataFrame.to_excel`` and ``to_csv`` (for tests and restricted sessions)."""
    for method, original in _ORIGINAL.items():
        setattr(pd.DataFrame, method, original)
    _ORIGINAL.clear()


def export_table(sdc, df: pd.DataFrame, path: str | Path, *, digits=None) -> Path:
    """Write a checked table to ``.xlsx`` or ``.csv`` as a reader of the report sees it.

    Parameters
    ----------
    sdc : Disclosure
        The session's disclosure rules.
    df : DataFrame
        A table from ``sdc.table``, ``sdc.measures`` or ``sdc.curve``.
    path : str or Path
        Ends in ``.xlsx`` or ``.csv``.
    digits : int or dict, optional
        Rounding, as in :meth:`Disclosure.for_display`.

    Returns
    -------
    Path

    Raises
    ------
    ParameterError
        The table was not checked, or the file type is not ``.xlsx`` / ``.csv``.
    """
    p = Path(path)
    if p.suffix.lower() not in (".xlsx", ".csv"):
        raise ParameterError(f"export_table: {p.name}: expected a .xlsx or .csv file")
    shown = sdc.for_display(df, digits=digits)
    writer = _ORIGINAL.get("to_excel" if p.suffix.lower() == ".xlsx" else "to_csv")
    if writer is None:
        writer = pd.DataFrame.to_excel if p.suffix.lower() == ".xlsx" else pd.DataFrame.to_csv
    writer(shown, p, index=False)
    return p
