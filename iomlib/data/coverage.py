"""Does the run's period fit the data? Dates that cover the data, suggested in plain words.

The packaged defaults (``as_of`` 2020-01-31, ``period_start`` 2016-01-01) suit the synthetic
force. A force's extract may end earlier, start later or lie decades back; a run whose period
misses the data reports an empty period that looks like a quiet one. :func:`coverage_notes`
says so at the start of a run and suggests the dates that fit the data:

- ``as_of``: the date of the last record (offence, adoption, removal, custody, referral or
  imported score);
- ``period_start``: the date of the first adoption.

**They are suggested, not adopted**: the reporting period is a decision of the person who
publishes (a report must say which dates it covers, and the same command must give the same
report), so a run keeps the dates it was given or the packaged defaults, says that they do not
fit the data, and prints the ``-p`` options that would.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["DataPeriod", "coverage_notes", "data_period"]

_DATE_COLUMNS = {"offences": ("offence_date",), "episodes": ("adopted_on", "removed_on"),
                 "custody": ("start_date", "end_date"), "idva_survey": ("referred_on",
                                                                        "responded_on"),
                 "risk_scores": ("score_date",)}


@dataclass(frozen=True)
class DataPeriod:
    """The dates the data cover (``None`` where a table has no dates).

    Attributes
    ----------
    first_record, last_record : Timestamp or None
        Earliest and latest date in any table.
    first_adoption, last_adoption : Timestamp or None
        Earliest and latest ``adopted_on``.
    """

    first_record: pd.Timestamp | None
    last_record: pd.Timestamp | None
    first_adoption: pd.Timestamp | None
    last_adoption: pd.Timestamp | None


def _bounds(values: list[pd.Series]):
    dates = pd.concat([v for v in values if v is not None and len(v)], ignore_index=True) \
        if any(v is not None and len(v) for v in values) else pd.Series(dtype="datetime64[ns]")
    dates = pd.to_datetime(dates, errors="coerce").dropna()
    if dates.empty:
        return None, None
    return dates.min(), dates.max()


def data_period(dataset) -> DataPeriod:
    """The dates ``dataset`` covers.

    Parameters
    ----------
    dataset : Dataset

    Returns
    -------
    DataPeriod
    """
    cols = []
    for table, names in _DATE_COLUMNS.items():
        df = getattr(dataset, table, None)
        if df is None:
            continue
        cols += [df[c] for c in names if c in df.columns]
    first, last = _bounds(cols)
    ep = dataset.episodes
    fa, la = _bounds([ep["adopted_on"]] if "adopted_on" in ep else [])
    return DataPeriod(first, last, fa, la)


def _d(t) -> str:
    return f"{pd.Timestamp(t):%Y-%m-%d}"


def coverage_notes(dataset, as_of, period_start, *, given=(), options: str = "report"
                   ) -> list[str]:
    """Sentences saying where the run's dates miss the data, and the dates that fit them.

    Parameters
    ----------
    dataset : Dataset
    as_of, period_start : date-like
        The run's dates; ``period_start=None`` checks ``as_of`` only (``iom impact``).
    given : collection of str
        The parameters the user gave (``"as_of"``, ``"period_start"``); the others are the
        packaged (or configuration) defaults, and the notes say so.
    options : {"report", "cli"}
        How the suggested dates are written: ``-p as_of=...`` (``iom report``) or
        ``--as-of ... --since ...`` (``iom impact``, ``iom headline``).

    Returns
    -------
    list of str
        Empty when the dates fit the data.
    """
    p = data_period(dataset)
    as_of = pd.Timestamp(as_of)
    start = None if period_start is None else pd.Timestamp(period_start)
    notes = []
    if p.last_record is not None and as_of > p.last_record + pd.Timedelta(days=31):
        notes.append(f"as_of {_d(as_of)} is after the data's last record ({_d(p.last_record)})"
                     ": the months after it will look empty, not quiet.")
    if p.first_adoption is None:
        notes.append("the data have no episodes: nobody was managed.")
    else:
        if as_of < p.first_adoption:
            notes.append(f"as_of {_d(as_of)} is before the first adoption "
                         f"({_d(p.first_adoption)}): nobody was on the scheme yet.")
        adopted = dataset.episodes["adopted_on"]
        if start is not None and not ((adopted >= start) & (adopted <= as_of)).any():
            notes.append(f"no episode was adopted between period_start {_d(start)} and as_of "
                         f"{_d(as_of)}; the data's adoptions run from {_d(p.first_adoption)} "
                         f"to {_d(p.last_adoption)}.")
    if not notes:
        return []
    asked = ("as_of",) if start is None else ("as_of", "period_start")
    defaults = [k for k in asked if k not in set(given)]
    verb = "does" if len(defaults) == 1 else "do"
    lead = (f"the packaged default {' and '.join(defaults)} {verb} not fit the data"
            if defaults else "the dates given do not fit the data")
    flag = ({"as_of": "-p as_of=", "period_start": "-p period_start="} if options == "report"
            else {"as_of": "--as-of ", "period_start": "--since "})
    suggest = []
    if p.last_record is not None:
        suggest.append(f"{flag['as_of']}{_d(p.last_record)}")
    if p.first_adoption is not None and start is not None:
        suggest.append(f"{flag['period_start']}{_d(p.first_adoption)}")
    basis = "last record; first adoption" if len(suggest) == 2 else "last record"
    tail = (f"Dates that fit the data ({basis}): {' '.join(suggest)}. "
            "They are suggested, not adopted: the run keeps its dates.") if suggest else ""
    return [f"{lead}: " + " ".join(notes) + (" " + tail if tail else "")]
