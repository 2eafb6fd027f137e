"""A messy-extract generator for property tests (issue #12, item 5).

Starts from a small synthetic force written as CSV text and applies any combination of the
oddities a real extract has. Each oddity is a function ``(tables, rng) -> expectation``
changing the string tables in place; the expectation says what the suite must do:

``"accept"``   the data are usable as they are (``iom validate`` exits 0), perhaps with notes;
``"refuse"``   ``iom validate`` exits 2 naming the table, row and column; ``iom report`` may
               still run, setting the rows aside and saying so.
``"dayfirst"`` refused unless read with ``--dayfirst``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

TABLE_NAMES = ("people", "episodes", "offences", "custody", "idva_survey", "risk_scores")


def base_tables(n_people: int = 120, seed: int = 7) -> dict[str, pd.DataFrame]:
    """A small synthetic force as string tables (what a CSV reader sees).

    Parameters
    ----------
    n_people : int
    seed : int

    Returns
    -------
    dict of str to DataFrame
    """
    import tempfile
    from dataclasses import replace

    from iomlib.data.synth import SynthParams, simulate
    ds = simulate(replace(SynthParams(), n_people=n_people, seed=seed))
    with tempfile.TemporaryDirectory() as d:
        ds.write(d, "csv")
        return {p.stem: pd.read_csv(p, dtype=str, keep_default_na=False)
                for p in sorted(Path(d).glob("*.csv"))}


def _rows(df: pd.DataFrame, rng, k: int) -> np.ndarray:
    return rng.choice(len(df), size=min(k, len(df)), replace=False) if len(df) else np.array([],
                                                                                              int)


def british_dates(t, rng):
    """Offence dates written DD/MM/YYYY."""
    d = pd.to_datetime(t["offences"]["offence_date"])
    t["offences"]["offence_date"] = d.dt.strftime("%d/%m/%Y")
    return "dayfirst"


def yn_booleans(t, rng):
    """weapon/domestic as Y/N."""
    for c in ("weapon", "domestic"):
        t["offences"][c] = t["offences"][c].map({"true": "Y", "false": "N"})
    return "accept"


def same_day_repeats(t, rng):
    """Offences repeated on the same day under a new offence_id."""
    off = t["offences"]
    rep = off.iloc[_rows(off, rng, 3)].copy()
    rep["offence_id"] = [f"DUP{i}" for i in range(len(rep))]
    t["offences"] = pd.concat([off, rep], ignore_index=True)
    return "accept"


def open_with_reason(t, rng):
    """Removal reasons on open episodes."""
    ep = t["episodes"]
    open_ = np.flatnonzero(ep["removed_on"].to_numpy() == "")
    if len(open_):
        ep.loc[ep.index[open_[:2]], "removal_reason"] = "other"
    return "accept"


def overlapping_custody(t, rng):
    """A custody spell overlapping another of the same person."""
    cu = t["custody"]
    if len(cu):
        extra = cu.iloc[[0]].copy()
        s = pd.to_datetime(extra["start_date"]) + pd.Timedelta(days=1)
        extra["start_date"] = s.dt.strftime("%Y-%m-%d")
        extra["end_date"] = (s + pd.Timedelta(days=30)).dt.strftime("%Y-%m-%d")
        t["custody"] = pd.concat([cu, extra], ignore_index=True)
    return "accept"


def people_without_offences(t, rng):
    """Drop every offence of a few people."""
    off = t["offences"]
    who = set(t["people"]["person_id"].iloc[_rows(t["people"], rng, 3)])
    t["offences"] = off[~off["person_id"].isin(who)].reset_index(drop=True)
    return "accept"


def offences_before_matrix(t, rng):
    """Some offences from the 1980s (before the first selection-matrix version)."""
    off = t["offences"]
    idx = off.index[_rows(off, rng, 5)]
    off.loc[idx, "offence_date"] = "1988-11-30"
    return "accept"


def sparse_scores(t, rng):
    """An imported score for some people at one or two dates."""
    ids = t["people"]["person_id"].iloc[_rows(t["people"], rng, 20)]
    dates = rng.choice(["2015-06-30", "2017-03-31", "2019-01-31"], size=len(ids))
    t["risk_scores"] = pd.DataFrame({"person_id": ids.to_numpy(), "score_date": dates,
                                     "score": rng.integers(0, 40, len(ids)).astype(str)})
    return "accept"


def empty_survey(t, rng):
    """An IDVA survey with no rows."""
    t["idva_survey"] = t["idva_survey"].iloc[0:0]
    return "accept"


def no_dviom(t, rng):
    """No DVIOM cohort."""
    t["episodes"]["cohort"] = t["episodes"]["cohort"].replace({"DVIOM": "IOM"})
    return "accept"


def missing_category(t, rng):
    """Offences with no category."""
    off = t["offences"]
    off.loc[off.index[_rows(off, rng, 5)], "offence_category"] = ""
    return "refuse"


def unknown_person(t, rng):
    """An offence by a person not in people."""
    off = t["offences"]
    extra = off.iloc[[0]].copy()
    extra["offence_id"], extra["person_id"] = "GHOST1", "NOBODY"
    t["offences"] = pd.concat([off, extra], ignore_index=True)
    return "refuse"


def impossible_date(t, rng):
    """A date that does not exist."""
    ep = t["episodes"]
    ep.loc[ep.index[0], "adopted_on"] = "2019-02-30"
    return "refuse"


ODDITIES = {f.__name__: f for f in (
    british_dates, yn_booleans, same_day_repeats, open_with_reason, overlapping_custody,
    people_without_offences, offences_before_matrix, sparse_scores, empty_survey, no_dviom,
    missing_category, unknown_person, impossible_date)}


def messy(base: dict[str, pd.DataFrame], names, seed: int = 0):
    """Apply the oddities ``names`` (in order) to a copy of ``base``.

    Parameters
    ----------
    base : dict of str to DataFrame
        :func:`base_tables`.
    names : iterable of str
        Keys of :data:`ODDITIES`.
    seed : int

    Returns
    -------
    (tables, expectations) : tuple
        The messy tables and the set of expectations of the oddities applied.
    """
    rng = np.random.default_rng(seed)
    t = {k: v.copy() for k, v in base.items()}
    expect = {ODDITIES[n](t, rng) for n in names}
    return t, expect


def write(tables: dict[str, pd.DataFrame], folder) -> Path:
    """Write string tables as ``<table>.csv``.

    Parameters
    ----------
    tables : dict of str to DataFrame
    folder : str or Path

    Returns
    -------
    Path
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for f in folder.glob("*.csv"):
        f.unlink()
    for name, df in tables.items():
        df.to_csv(folder / f"{name}.csv", index=False)
    return folder
