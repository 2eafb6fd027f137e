"""Rows set aside, said out loud: the data-quality ledger as a summary, screen lines and JSON.

``iom validate`` (strict) refuses data with row-level problems; ``iom report``, ``iom impact``
and ``iom headline`` read the same data leniently: a row with a problem (e.g. an offence with
no category) is **set aside** (left out of every figure) and counted in the ledger
(:attr:`iomlib.data.dataset.Dataset.ledger`). This module turns the ledger into what a run
shows: one screen line per table and reason (:func:`announce`), and the ``data_quality`` entry
of ``metrics.json`` (:func:`data_quality`), which the index page lists in its data-quality
section. Notes (``reason`` starting ``"note: "``) set nothing aside and are listed apart.
"""
from __future__ import annotations

import pandas as pd

__all__ = ["announce", "data_quality", "set_aside"]

NOTE = "note: "


def _reason_rows(ledger: pd.DataFrame) -> pd.DataFrame:
    if ledger is None or len(ledger) == 0:
        return pd.DataFrame(columns=["table", "rows_excluded", "reason", "rows"])
    return ledger[ledger["reason"].astype(str) != "total"]


def set_aside(ledger: pd.DataFrame) -> pd.DataFrame:
    """The ledger's reasons that set rows aside (``rows_excluded`` > 0), notes left out.

    Parameters
    ----------
    ledger : DataFrame
        ``Dataset.ledger``.

    Returns
    -------
    DataFrame
        ``table``, ``rows_excluded``, ``reason``, ``rows`` (the first row numbers).
    """
    r = _reason_rows(ledger)
    excluded = pd.to_numeric(r["rows_excluded"], errors="coerce").fillna(0)
    keep = (excluded > 0) & ~r["reason"].astype(str).str.startswith(NOTE)
    out = r.loc[keep, ["table", "rows_excluded", "reason", "rows"]].copy()
    out["rows_excluded"] = excluded[keep].astype(int)
    return out.reset_index(drop=True)


def data_quality(ledger: pd.DataFrame) -> dict:
    """The ``data_quality`` entry of ``metrics.json``.

    Parameters
    ----------
    ledger : DataFrame
        ``Dataset.ledger``.

    Returns
    -------
    dict
        ``tables`` (per table: ``rows_read``, ``rows_used``, ``rows_set_aside``),
        ``set_aside`` (per table and reason: ``table``, ``reason``, ``rows`` (count),
        ``row_numbers`` (the first ones, as in the ledger)), ``rows_set_aside`` (total),
        ``notes`` (the ledger's notes: ``table``, ``note``) and ``definition``.
    """
    tables = {}
    if ledger is not None and len(ledger):
        for _, r in ledger[ledger["reason"].astype(str) == "total"].iterrows():
            def num(v):
                return None if pd.isna(v) else int(v)
            tables[str(r["table"])] = {"rows_read": num(r["rows_read"]),
                                       "rows_used": num(r["rows_used"]),
                                       "rows_set_aside": num(r["rows_excluded"]) or 0}
    aside = [{"table": str(r["table"]), "reason": str(r["reason"]),
              "rows": int(r["rows_excluded"]), "row_numbers": str(r["rows"] or "")}
             for _, r in set_aside(ledger).iterrows()]
    reasons = _reason_rows(ledger)
    notes = [{"table": str(r["table"]), "note": str(r["reason"])[len(NOTE):]}
             for _, r in reasons.iterrows() if str(r["reason"]).startswith(NOTE)]
    return {"tables": tables, "set_aside": aside,
            "rows_set_aside": int(sum(t["rows_set_aside"] for t in tables.values())),
            "notes": notes,
            "definition": "rows read = rows used + rows set aside, per table; a row set aside "
                          "is left out of every figure (iom validate refuses such data)"}


def announce(ledger: pd.DataFrame, prefix: str = "iom report") -> list[str]:
    """One screen line per table and reason that set rows aside.

    Parameters
    ----------
    ledger : DataFrame
        ``Dataset.ledger``.
    prefix : str
        Command name leading each line.

    Returns
    -------
    list of str
        Empty when nothing was set aside.
    """
    dq = data_quality(ledger)
    lines = []
    for item in dq["set_aside"]:
        read = dq["tables"].get(item["table"], {}).get("rows_read")
        of = f" of {read:,}" if read else ""
        lines.append(f"{prefix}: {item['rows']:,}{of} {item['table']} rows set aside: "
                     f"{item['reason']} (rows {item['row_numbers']})")
    if lines:
        lines.append(f"{prefix}: rows set aside are left out of every figure and listed in "
                     "the data-quality section of the index page and in metrics.json; "
                     "`iom validate` refuses such data")
    return lines
