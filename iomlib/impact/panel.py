"""Person-by-month panel for the impact estimators (issue 4).

One array per quantity, shape ``(n_people, n_months)``, over calendar months from the first month
of the offence data to the month of the as-of date:

- ``count``: offences committed in the month (offences after the as-of date are ignored);
- ``harm``: summed offence weight (severity x weapon uplift, :func:`iomlib.risk.offence_weights`);
- ``liberty``: days at liberty (days not inside a custody spell, and not after the as-of date);
- ``managed_liberty``: days at liberty inside an open episode, i.e. in ``(adopted_on, removed_on]``
  (an episode adopted on day *d* manages offending from *d + 1*; removal takes effect the day
  after ``removed_on``);
- ``count_managed``: offences committed on managed days;
- ``points`` / ``eligible``: selection-matrix points at the month end under the version in force
  on that date (:func:`iomlib.risk.matrix.matrix_points`) and whether they reach the threshold;
- ``on_scheme``: an episode is open at the month end (adopted on or before it, not removed before);
- ``adopted``: an episode was adopted during the month (of any cohort);
- ``long_custody``: inside a custody spell of kind ``long`` at the month end;
- ``months_since_removal``: whole months since the person's latest removal (large if never);
- ``domestic`` / ``weapon``: offences in the month flagged domestic / weapon-enabled.

Custody spells are inclusive of both end dates. The panel is built with day-level boolean arrays
(``n_people x n_days``), which is cheap for a force (a few thousand people over a decade).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from iomlib.config.settings import Config, default_config
from iomlib.errors import IomError
from iomlib.risk.engine import day_numbers, offence_weights
from iomlib.risk.matrix import matrix_points

_EPOCH = np.datetime64("1970-01-01", "D")


def _day(values) -> np.ndarray:
    """Day numbers from 1970-01-01 (:func:`iomlib.risk.engine.day_numbers`)."""
    return day_numbers(values, _EPOCH)


@dataclass
class Panel:
    """Person-by-month arrays for one dataset and as-of date (see the module docstring).

    Attributes
    ----------
    person_ids : ndarray of str, shape (n,)
    month_ends : DatetimeIndex, length m
    count, count_managed : ndarray of int, shape (n, m)
    harm : ndarray of float, shape (n, m)
    liberty, managed_liberty, days : ndarray of float, shape (n, m)
        Days at liberty, managed days at liberty, and observed days in the month.
    points : ndarray of float, shape (n, m)
    eligible, on_scheme, adopted : ndarray of bool, shape (n, m)
    first_adopted : ndarray of int, shape (n,)
        Month index of the person's first adoption, -1 if never adopted by the as-of date.
    first_cohort : ndarray of object, shape (n,)
        Cohort of that first episode (None if never adopted).
    first_eligible : ndarray of int, shape (n,)
        First month index (from ``eval_start``) at which the person crosses the threshold, -1 if
        never.
    eval_start : int
        First month index at which eligibility is evaluated (12 months of history are needed).
    long_custody : ndarray of bool, shape (n, m)
    months_since_removal : ndarray of int, shape (n, m)
    domestic, weapon : ndarray of int, shape (n, m)
    age : ndarray of float, shape (n, m)
        Age in years at the month end (from birth year).
    male : ndarray of bool, shape (n,)
    as_of : Timestamp
    """

    person_ids: np.ndarray
    month_ends: pd.DatetimeIndex
    count: np.ndarray
    count_managed: np.ndarray
    harm: np.ndarray
    liberty: np.ndarray
    managed_liberty: np.ndarray
    days: np.ndarray
    points: np.ndarray
    eligible: np.ndarray
    on_scheme: np.ndarray
    adopted: np.ndarray
    first_adopted: np.ndarray
    first_cohort: np.ndarray
    first_eligible: np.ndarray
    eval_start: int
    long_custody: np.ndarray
    months_since_removal: np.ndarray
    domestic: np.ndarray
    weapon: np.ndarray
    age: np.ndarray
    male: np.ndarray
    as_of: pd.Timestamp

    @property
    def n_people(self) -> int:
        """Number of people (rows)."""
        return len(self.person_ids)

    @property
    def n_months(self) -> int:
        """Number of months (columns)."""
        return len(self.month_ends)


def _intervals_to_days(n: int, day0: int, n_days: int, who: np.ndarray, lo: np.ndarray,
                       hi: np.ndarray) -> np.ndarray:
    """Boolean (n, n_days) array, True on days in any closed interval [lo, hi] of person ``who``."""
    diff = np.zeros((n, n_days + 1), dtype=np.int16)
    a = np.clip(lo - day0, 0, n_days)
    b = np.clip(hi - day0 + 1, 0, n_days)
    ok = b > a
    np.add.at(diff, (who[ok], a[ok]), 1)
    np.add.at(diff, (who[ok], b[ok]), -1)
    return np.cumsum(diff[:, :n_days], axis=1) > 0


@dataclass
class _Calendar:
    """The panel's people, months and days (day numbers from 1970-01-01)."""

    ids: np.ndarray
    index: pd.Index
    month_ends: pd.DatetimeIndex
    t: pd.Timestamp
    day0: int
    last: int
    mstart: np.ndarray
    mend: np.ndarray
    n_days: int
    bounds: np.ndarray
    observed: np.ndarray

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def m(self) -> int:
        return len(self.month_ends)


def build_panel(dataset, as_of=None, config: Config | None = None, *,
                start=None, eligibility_from=None) -> Panel:
    """Build the person-by-month :class:`Panel` of a dataset up to ``as_of``.

    Parameters
    ----------
    dataset : Dataset
        A validated dataset (people, episodes, offences, custody).
    as_of : date-like, optional
        Last day of data used (default: ``config.as_of``). Later offences, custody and episode
        events are ignored, as they would be in an extract taken on that day.
    config : Config, optional
        Severity and selection-matrix settings (the packaged default if omitted).
    start : date-like, optional
        First month of the panel (default: the month of the earliest offence).
    eligibility_from : date-like, optional
        First month end at which eligibility is evaluated (default: 12 months after ``start``,
        so that the matrix window is complete).

    Returns
    -------
    Panel
    """
    cfg = config or default_config()
    t = pd.Timestamp(as_of) if as_of is not None else cfg.as_of
    off = dataset.offences
    off = off[off["offence_date"] <= t]
    if len(off) == 0:
        raise IomError(f"impact: no offences on or before the as-of date {t.date()}")
    cal = _calendar(dataset, off, t, start)
    cu = dataset.custody
    cu = cu[cu["start_date"] <= t]
    ep = dataset.episodes
    ep = ep[ep["adopted_on"] <= t]
    ew = cal.index.get_indexer(ep["person_id"].astype(str))
    keep = ew >= 0
    rem = ep["removed_on"].where(ep["removed_on"].notna() & (ep["removed_on"] <= t))
    rem_day = np.where(rem.notna(), _day(rem.fillna(t)), cal.last + 1)
    managed = _intervals_to_days(cal.n, cal.day0, cal.n_days, ew[keep],
                                 _day(ep["adopted_on"])[keep] + 1, rem_day[keep])
    parts = _liberty(cal, cu, managed)
    parts.update(_offences(cal, off, cfg, managed))
    parts.update(_eligibility(cal, off, cfg, eligibility_from))
    parts.update(_episodes(cal, ep, ew, keep, rem_day))
    parts["long_custody"] = _long_custody(cal, cu)
    parts.update(_people(cal, dataset.people))
    eligible = parts["eligible"]
    parts["first_eligible"] = np.where(eligible.any(axis=1), eligible.argmax(axis=1), -1)
    return Panel(person_ids=cal.ids, month_ends=cal.month_ends, as_of=t, **parts)


def _calendar(dataset, off: pd.DataFrame, t: pd.Timestamp, start) -> _Calendar:
    """People and months of the panel, from the month of ``start`` (or the first offence)."""
    s = pd.Timestamp(start) if start is not None else off["offence_date"].min()
    s = s.to_period("M").to_timestamp()
    month_ends = pd.date_range(s + pd.offsets.MonthEnd(0), t + pd.offsets.MonthEnd(0), freq="ME")
    ids = dataset.people["person_id"].astype(str).to_numpy()
    day0 = int(_day([s])[0])
    last = int(_day([t])[0])
    mstart = _day(month_ends.to_period("M").to_timestamp())
    mend = _day(month_ends)
    n_days = int(mend[-1] - day0 + 1)
    return _Calendar(ids=ids, index=pd.Index(ids), month_ends=month_ends, t=t, day0=day0,
                     last=last, mstart=mstart, mend=mend, n_days=n_days,
                     bounds=(mstart - day0).astype(np.int64),
                     observed=np.arange(n_days) + day0 <= last)


def _liberty(cal: _Calendar, cu: pd.DataFrame, managed: np.ndarray) -> dict:
    """Days at liberty, managed days at liberty and observed days, per month."""
    cw = cal.index.get_indexer(cu["person_id"].astype(str))
    keep = cw >= 0
    custody = _intervals_to_days(cal.n, cal.day0, cal.n_days, cw[keep],
                                 _day(cu["start_date"])[keep], _day(cu["end_date"])[keep])
    at_liberty = ~custody & cal.observed[None, :]
    liberty = np.add.reduceat(at_liberty, cal.bounds, axis=1).astype(float)
    managed_liberty = np.add.reduceat(at_liberty & managed, cal.bounds, axis=1).astype(float)
    days = np.add.reduceat(np.broadcast_to(cal.observed, (1, cal.n_days)), cal.bounds,
                           axis=1)[0]
    return {"liberty": liberty, "managed_liberty": managed_liberty, "days": days.astype(float)}


def _offences(cal: _Calendar, off: pd.DataFrame, cfg: Config, managed: np.ndarray) -> dict:
    """Offences, harm, domestic and weapon offences and offences on managed days, per month."""
    n, m = cal.n, cal.m
    op = cal.index.get_indexer(off["person_id"].astype(str))
    od = _day(off["offence_date"])
    ok = (op >= 0) & (od >= cal.day0)
    op, od = op[ok], od[ok]
    w = offence_weights(off, cfg)[ok]
    om = np.searchsorted(cal.mstart, od, side="right") - 1
    count = np.zeros((n, m), dtype=np.int64)
    harm = np.zeros((n, m))
    np.add.at(count, (op, om), 1)
    np.add.at(harm, (op, om), w)
    domestic = np.zeros((n, m), dtype=np.int64)
    weapon = np.zeros((n, m), dtype=np.int64)
    np.add.at(domestic, (op, om), off["domestic"].astype(bool).to_numpy()[ok].astype(np.int64))
    np.add.at(weapon, (op, om), off["weapon"].astype(bool).to_numpy()[ok].astype(np.int64))
    is_m = managed[op, od - cal.day0]
    count_managed = np.zeros((n, m), dtype=np.int64)
    np.add.at(count_managed, (op[is_m], om[is_m]), 1)
    return {"count": count, "harm": harm, "domestic": domestic, "weapon": weapon,
            "count_managed": count_managed}


def _eligibility(cal: _Calendar, off: pd.DataFrame, cfg: Config, eligibility_from) -> dict:
    """Selection-matrix points at month ends (version in force) and whether they cross."""
    n, m, month_ends = cal.n, cal.m, cal.month_ends
    e0 = (pd.Timestamp(eligibility_from) + pd.offsets.MonthEnd(0) if eligibility_from is not None
          else month_ends[0] + pd.offsets.MonthEnd(12))
    eval_start = int(np.searchsorted(month_ends, e0))
    points = np.zeros((n, m))
    eligible = np.zeros((n, m), dtype=bool)
    if eval_start < m:
        # one call per matrix version (the version in force on each month end)
        cols = np.arange(eval_start, m)
        vnames = np.array([cfg.matrix_version_on(d).name for d in month_ends[cols]])
        for v in pd.unique(vnames):
            vc = cols[vnames == v]
            pairs = pd.DataFrame({"person_id": np.repeat(cal.ids, len(vc)),
                                  "date": np.tile(month_ends[vc].values, n)})
            mp = matrix_points(off, pairs, cfg, version=v)
            points[:, vc] = mp["points"].to_numpy().reshape(n, len(vc))
            eligible[:, vc] = mp["crosses"].to_numpy().reshape(n, len(vc))
    return {"points": points, "eligible": eligible, "eval_start": eval_start}


def _episodes(cal: _Calendar, ep: pd.DataFrame, ew: np.ndarray, keep: np.ndarray,
              rem_day: np.ndarray) -> dict:
    """On the scheme and adopted by month, months since removal, first adoption and cohort."""
    n, m, mstart, mend = cal.n, cal.m, cal.mstart, cal.mend
    on_scheme = np.zeros((n, m), dtype=bool)
    adopted = np.zeros((n, m), dtype=bool)
    a_day = _day(ep["adopted_on"])
    am = np.searchsorted(mstart, a_day, side="right") - 1
    am_ok = keep & (am >= 0)
    adopted[ew[am_ok], am[am_ok]] = True
    big = 10 ** 6
    months_since_removal = np.full((n, m), big, dtype=np.int64)
    for i, a, r in zip(ew[keep], a_day[keep], rem_day[keep]):
        on_scheme[i, (mend >= a) & (mend <= r)] = True
        if r <= cal.last:
            rm = int(np.searchsorted(mstart, r, side="right") - 1)
            since = np.arange(m) - rm
            upd = (since >= 0) & (since < months_since_removal[i])
            months_since_removal[i, upd] = since[upd]
    first_adopted = np.full(n, -1, dtype=np.int64)
    first_cohort = np.full(n, None, dtype=object)
    order = np.argsort(a_day, kind="stable")
    for j in order[::-1]:
        if keep[j] and am[j] >= 0:
            first_adopted[ew[j]] = am[j]
            first_cohort[ew[j]] = ep["cohort"].iloc[j]
    return {"on_scheme": on_scheme, "adopted": adopted,
            "months_since_removal": months_since_removal, "first_adopted": first_adopted,
            "first_cohort": first_cohort}


def _long_custody(cal: _Calendar, cu: pd.DataFrame) -> np.ndarray:
    """Inside a custody spell of kind ``long`` at each month end."""
    long_custody = np.zeros((cal.n, cal.m), dtype=bool)
    lc = cu[cu["sentence_kind"].astype(str) == "long"]
    lw = cal.index.get_indexer(lc["person_id"].astype(str))
    for i, a, b in zip(lw, _day(lc["start_date"]), _day(lc["end_date"])):
        if i >= 0:
            long_custody[i, (cal.mend >= a) & (cal.mend <= b)] = True
    return long_custody


def _people(cal: _Calendar, people: pd.DataFrame) -> dict:
    """Age at each month end (from birth year) and sex."""
    people = people.set_index(people["person_id"].astype(str))
    by = people["birth_year"].reindex(cal.ids).to_numpy(float)
    age = cal.month_ends.year.to_numpy(float)[None, :] - by[:, None]
    male = (people["sex"].reindex(cal.ids).astype(str).str.upper().str[0] == "M").to_numpy()
    return {"age": age, "male": male}


def _cum(a: np.ndarray) -> np.ndarray:
    """Cumulative sums along months with a leading zero column (window sums by difference)."""
    return np.concatenate([np.zeros((a.shape[0], 1)), np.cumsum(a, axis=1, dtype=float)], axis=1)


def risk_sets(panel: Panel, *, follow_up: int = 12, min_history: int = 12,
              recent_months: int = 3, cooling_months: int = 3) -> pd.DataFrame:
    """Monthly risk sets: at each month end, everyone the panel could have adopted.

    A person is in the risk set of month end *m* when, on that date, they cross the selection
    threshold (version in force), are not on the scheme (an episode adopted during month *m*
    counts as adopted, not as on the scheme), are not in long custody, were not removed in the
    last ``cooling_months`` months, and have offended in the last ``recent_months`` months (a
    pre-entry condition that drops people who have left the area, died or stopped offending
    long ago but still carry points). Those adopted during month *m* are *adopted*; the rest
    are the comparison (they may be adopted later: an intention-to-treat comparison).

    Only month ends with ``min_history`` months of data before the selection window and a full
    ``follow_up`` months of data after are used. A person can appear in many risk sets
    (cluster by person).

    Parameters
    ----------
    panel : Panel
        From :func:`build_panel`.
    follow_up : int
        Months of follow-up after the month end.
    min_history : int
        Months of data needed before the 12-month selection window.
    recent_months : int
        Months (ending at *m*) in which at least one offence is required.
    cooling_months : int
        Months after a removal in which a person is not in the risk set.

    Returns
    -------
    DataFrame
        One row per (person, month end): ``row`` (panel row), ``person_id``, ``m``,
        ``month_end``, ``adopted``; history (``points``, ``c0`` ... offence counts by month
        before *m*, ``c_hist`` / ``lib_hist`` before the window, ``dom_share``, ``weap_share``,
        ``managed_share_window``, ``ever_managed``, ``months_eligible_12``, ``age``, ``male``,
        ``year``); follow-up months *m*+1 ... *m*+``follow_up``: ``y`` (offences), ``y_managed``
        (on managed days), ``liberty`` and ``managed_liberty`` (days).
    """
    M = panel.n_months
    cums = {k: _cum(getattr(panel, k)) for k in ("count", "count_managed", "liberty",
                                                  "managed_liberty", "domestic", "weapon",
                                                  "eligible")}
    C = cums["count"]
    first = max(panel.eval_start, 12 + min_history - 1)
    frames = []
    for m in range(first, M - follow_up):
        cand = (panel.eligible[:, m] & ~panel.on_scheme[:, m - 1]
                & (~panel.on_scheme[:, m] | panel.adopted[:, m]) & ~panel.long_custody[:, m]
                & (panel.months_since_removal[:, m] >= cooling_months)
                & (C[:, m + 1] - C[:, m + 1 - recent_months] > 0))
        idx = np.flatnonzero(cand)
        if len(idx) == 0:
            continue
        frames.append(_risk_set(panel, cums, m, idx, follow_up))
    if not frames:
        raise IomError("impact: no eligible person-months with complete history and follow-up; "
                       "the data are too short or the as-of date too early")
    out = pd.concat(frames, ignore_index=True)
    out.insert(1, "person_id", panel.person_ids[out["row"].to_numpy()])
    out.insert(3, "month_end", panel.month_ends[out["m"].to_numpy()])
    return out


def _risk_set(panel: Panel, cums: dict, m: int, idx: np.ndarray,
              follow_up: int) -> pd.DataFrame:
    """Rows ``idx`` of month end ``m``: history up to *m* and follow-up after it."""
    C, CM, L, ML = (cums[k] for k in ("count", "count_managed", "liberty", "managed_liberty"))
    D, W, E = cums["domestic"], cums["weapon"], cums["eligible"]

    def s(A, a, b):  # sum over months a..b inclusive
        return A[idx, b + 1] - A[idx, a]
    win = s(C, m - 11, m)
    return pd.DataFrame({
        "row": idx, "m": m, "adopted": panel.adopted[idx, m].astype(int),
        "points": panel.points[idx, m],
        "c0": s(C, m, m), "c1": s(C, m - 1, m - 1), "c2": s(C, m - 2, m - 2),
        "c3_5": s(C, m - 5, m - 3), "c6_11": s(C, m - 11, m - 6), "c_window": win,
        "lib_window": s(L, m - 11, m),
        "managed_share_window": s(ML, m - 11, m) / np.maximum(s(L, m - 11, m), 1.0),
        "dom_share": s(D, m - 11, m) / np.maximum(win, 1.0),
        "weap_share": s(W, m - 11, m) / np.maximum(win, 1.0),
        "c_hist": s(C, 0, m - 12), "lib_hist": s(L, 0, m - 12),
        "ever_managed": (ML[idx, m + 1] > 0).astype(int),
        "months_eligible_12": s(E, m - 11, m),
        "age": panel.age[idx, m], "male": panel.male[idx].astype(int),
        "year": panel.month_ends[m].year,
        "y": s(C, m + 1, m + follow_up), "y_managed": s(CM, m + 1, m + follow_up),
        "liberty": s(L, m + 1, m + follow_up),
        "managed_liberty": s(ML, m + 1, m + follow_up),
    })


def history_design(rs: pd.DataFrame) -> pd.DataFrame:
    """Covariates of the risk-set outcome model (pre-entry history; see :func:`risk_sets`).

    Log matrix points; log(1 + offences) in month *m*, *m*-1, *m*-2, *m*-5..*m*-3 and
    *m*-11..*m*-6; log offence rate per year at liberty before the window (shrunk:
    ``(c + 0.5) / (years + 0.1)``) and log(1 + years of that history); log share of the window
    at liberty; shares of domestic and weapon-enabled offences in the window; managed share of
    the window; previously managed; months eligible in the last 12; age, age squared, sex;
    calendar year (indicator per year, the first dropped). Constant columns are dropped.

    Parameters
    ----------
    rs : DataFrame
        Risk sets from :func:`risk_sets`.

    Returns
    -------
    DataFrame
        The design matrix (with a ``const`` column), indexed like ``rs``.
    """
    hist_years = rs["lib_hist"] / 365.25
    X = pd.DataFrame({
        "const": 1.0,
        "log_points": np.log(rs["points"].clip(lower=1e-9)),
        "log1p_c0": np.log1p(rs["c0"]), "log1p_c1": np.log1p(rs["c1"]),
        "log1p_c2": np.log1p(rs["c2"]), "log1p_c3_5": np.log1p(rs["c3_5"]),
        "log1p_c6_11": np.log1p(rs["c6_11"]),
        "log_hist_rate": np.log((rs["c_hist"] + 0.5) / (hist_years + 0.1)),
        "log1p_hist_years": np.log1p(hist_years),
        "log_lib_window": np.log((rs["lib_window"] + 30) / 395.25),
        "dom_share": rs["dom_share"], "weap_share": rs["weap_share"],
        "managed_share_window": rs["managed_share_window"],
        "ever_managed": rs["ever_managed"].astype(float),
        "months_eligible_12": rs["months_eligible_12"].astype(float),
        "age": rs["age"], "age2": (rs["age"] - 30) ** 2 / 100, "male": rs["male"].astype(float),
    }, index=rs.index)
    years = pd.get_dummies(rs["year"], prefix="year", drop_first=True, dtype=float)
    X = pd.concat([X, years], axis=1)
    keep = [c for c in X.columns if c == "const" or X[c].std() > 0]
    return X[keep]
