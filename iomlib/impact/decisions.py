"""Risk sets on real decision dates: a sequence of emulated trials, one per panel date (issue 11).

A panel adopts people on the days it meets (in many forces the second Wednesday of the month),
not at month ends. Each *decision date* ``d`` is an emulated trial:

- **decision dates** are the days on which adoptions actually happen (``episodes.adopted_on``);
  dates closer than ``min_gap_days`` to the previous decision date are merged into it, so a
  force that records adoptions on scattered days still gets one trial per panel meeting. The
  people *adopted at* ``d`` are those whose episode starts in ``[d, next decision date)``;
- **everything known before the decision** is computed from days strictly before ``d``:
  matrix points (offences up to ``d - 1``, the version in force on ``d``), offence counts in
  windows of days before ``d``, days at liberty and managed days before ``d``;
- **the risk set** (who could have been adopted) is judged on ``d``: crosses the selection
  threshold, free (not on the scheme on ``d``, not in a custody spell that began before ``d``
  and covers ``d``), not removed in the ``cooling_days`` before ``d``, and an offence in the
  ``recent_days`` before ``d``;
- **follow-up** starts the day after the decision: offences, days at liberty, managed days and
  offences on managed days in ``[d + 1, d + follow_up_days]``. The decision day itself belongs to
  neither the history nor the follow-up (what happens on it may or may not have been known to
  the panel).

Management follows the panel's convention (:mod:`iomlib.impact.panel`): an episode adopted on day
*a* manages offending from *a + 1* to its removal day inclusive. Custody spells include both end
dates. Day numbers count from 1970-01-01.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from iomlib.config.settings import Config, default_config
from iomlib.errors import IomError
from iomlib.impact._cache import cached
from iomlib.impact.panel import _EPOCH, _day, _intervals_to_days, history_design
from iomlib.risk.engine import compute_scores, window_sums
from iomlib.risk.matrix import matrix_points

_CACHE: dict = {}

# history windows before the decision date, in days (first, last) counted back from d - 1
WINDOWS = {"c0": (1, 30), "c1": (31, 61), "c2": (62, 91), "c3_5": (92, 182),
           "c6_11": (183, 365), "c_window": (1, 365)}


@dataclass
class DayData:
    """Day-level facts of one dataset up to an as-of date (see the module docstring).

    Attributes
    ----------
    ids : ndarray of str
        Person ids (rows).
    day0, last : int
        First day covered (first day of the month of the earliest offence) and the as-of day.
    off_key, dom_key, weap_key, man_key : ndarray of int
        Sorted ``row * stride + (day - day0)`` of every offence, of domestic, weapon-enabled
        offences and of offences on managed days.
    lib_cum, man_cum, man_any_cum : ndarray of int16 (int32 from 32,000 days), shape (n, n_days + 1)
        Running totals (leading zero) of days at liberty, managed days at liberty and managed
        days.
    custody : ndarray of bool, shape (n, n_days)
        In a custody spell on the day.
    managed : ndarray of bool, shape (n, n_days)
        Managed on the day.
    adopt_row, adopt_day, remove_row, remove_day : ndarray of int
        Episodes' person rows with their adoption days, and removals recorded by the as-of day.
    episode_end : ndarray of int
        Each episode's last managed day (aligned with ``adopt_row``): its removal day, or the
        as-of day while it is open.
    remove_reason : ndarray of str
        The recorded reason of each of those removals ("" when none was recorded).
    birth_year : ndarray of float
    male : ndarray of bool
    """

    ids: np.ndarray
    day0: int
    last: int
    stride: int
    off_key: np.ndarray
    dom_key: np.ndarray
    weap_key: np.ndarray
    man_key: np.ndarray
    lib_cum: np.ndarray
    man_cum: np.ndarray
    man_any_cum: np.ndarray
    custody: np.ndarray
    managed: np.ndarray
    adopt_row: np.ndarray
    adopt_day: np.ndarray
    episode_end: np.ndarray
    remove_row: np.ndarray
    remove_day: np.ndarray
    remove_reason: np.ndarray
    birth_year: np.ndarray
    male: np.ndarray
    offences: pd.DataFrame

    @property
    def n_days(self) -> int:
        """Days covered, ``day0`` to ``last``."""
        return self.last - self.day0 + 1

    def count(self, key: np.ndarray, rows, lo, hi) -> np.ndarray:
        """Events of ``key`` for each row on days ``lo..hi`` (inclusive; 0 when ``hi < lo``).

        Parameters
        ----------
        key : ndarray of int
            One of the sorted event keys (``off_key`` ...).
        rows, lo, hi : array of int
            Person row and first and last day number of each window.

        Returns
        -------
        ndarray of float
        """
        a, b = self._span(lo, hi)
        base = np.asarray(rows, np.int64) * self.stride
        return (np.searchsorted(key, base + b, "left")
                - np.searchsorted(key, base + a, "left")).astype(float)

    def _span(self, lo, hi) -> tuple[np.ndarray, np.ndarray]:
        """Grid columns ``[a, b)`` of days ``lo..hi``, clipped to the grid (empty if hi < lo)."""
        a = np.clip(np.asarray(lo) - self.day0, 0, self.n_days)
        b = np.clip(np.asarray(hi) - self.day0 + 1, 0, self.n_days)
        return a, np.maximum(a, b)

    def days(self, cum: np.ndarray, rows, lo, hi) -> np.ndarray:
        """Days counted by ``cum`` (``lib_cum`` ...) on days ``lo..hi`` of each row.

        Parameters
        ----------
        cum : ndarray, shape (n, n_days + 1)
            A running total.
        rows, lo, hi : array of int
            Person row and first and last day number of each window.

        Returns
        -------
        ndarray of float
        """
        a, b = self._span(lo, hi)
        return (cum[rows, b] - cum[rows, a]).astype(float)


def day_data(dataset, as_of=None, config: Config | None = None) -> DayData:
    """The :class:`DayData` of ``dataset`` up to ``as_of`` (cached on the very same objects).

    Parameters
    ----------
    dataset : Dataset
        A validated dataset (people, episodes, offences, custody).
    as_of : date-like, optional
        Last day of data used (default ``config.as_of``); later records are ignored.
    config : Config, optional
        The packaged default if omitted.

    Returns
    -------
    DayData
    """
    cfg = config or default_config()
    t = pd.Timestamp(as_of) if as_of is not None else cfg.as_of
    return cached(_CACHE, dataset, cfg, t, lambda: _build(dataset, t))


def _build(dataset, t: pd.Timestamp) -> DayData:
    off = dataset.offences
    off = off[off["offence_date"] <= t]
    if len(off) == 0:
        raise IomError(f"impact: no offences on or before the as-of date {t.date()}")
    ids = dataset.people["person_id"].astype(str).to_numpy()
    index = pd.Index(ids)
    day0 = int(_day([off["offence_date"].min().to_period("M").to_timestamp()])[0])
    last = int(_day([t])[0])
    n, n_days = len(ids), last - day0 + 1
    cu = dataset.custody
    cu = cu[cu["start_date"] <= t]
    cw = index.get_indexer(cu["person_id"].astype(str))
    k = cw >= 0
    custody = _intervals_to_days(n, day0, n_days, cw[k], _day(cu["start_date"])[k],
                                 _day(cu["end_date"])[k])
    ep = dataset.episodes
    ep = ep[ep["adopted_on"] <= t]
    ew = index.get_indexer(ep["person_id"].astype(str))
    k = ew >= 0
    a_day = _day(ep["adopted_on"])
    removed = ep["removed_on"].notna() & (ep["removed_on"] <= t)
    r_day = np.where(removed, _day(ep["removed_on"].fillna(t)), last)
    managed = _intervals_to_days(n, day0, n_days, ew[k], a_day[k] + 1, r_day[k])
    lib = ~custody
    stride = n_days + 2
    op = index.get_indexer(off["person_id"].astype(str))
    od = _day(off["offence_date"]) - day0
    ok = (op >= 0) & (od >= 0)
    op, od = op[ok], od[ok]
    keys = op.astype(np.int64) * stride + od
    dom = off["domestic"].astype(bool).to_numpy()[ok]
    weap = off["weapon"].astype(bool).to_numpy()[ok]
    on_m = managed[op, od]
    people = dataset.people.set_index(dataset.people["person_id"].astype(str))
    rk = k & removed.to_numpy()
    return DayData(
        ids=ids, day0=day0, last=last, stride=stride, off_key=np.sort(keys),
        dom_key=np.sort(keys[dom]), weap_key=np.sort(keys[weap]), man_key=np.sort(keys[on_m]),
        lib_cum=_cum(lib), man_cum=_cum(lib & managed), man_any_cum=_cum(managed),
        custody=custody, managed=managed, adopt_row=ew[k], adopt_day=a_day[k],
        episode_end=r_day[k],
        remove_row=ew[rk], remove_day=r_day[rk], remove_reason=_reasons(ep)[rk],
        birth_year=people["birth_year"].reindex(ids).to_numpy(float),
        male=(people["sex"].reindex(ids).astype(str).str.upper().str[0] == "M").to_numpy(),
        offences=off)


def _reasons(episodes: pd.DataFrame) -> np.ndarray:
    """Each episode's removal reason as text, "" where none was recorded."""
    if "removal_reason" not in episodes:
        return np.full(len(episodes), "", dtype=object)
    return episodes["removal_reason"].astype(object).where(
        episodes["removal_reason"].notna(), "").astype(str).to_numpy()


def _cum(a: np.ndarray) -> np.ndarray:
    kind = np.int16 if a.shape[1] < 32000 else np.int32   # running day counts fit in int16
    out = np.zeros((a.shape[0], a.shape[1] + 1), dtype=kind)
    np.cumsum(a, axis=1, dtype=kind, out=out[:, 1:])
    return out


def decision_dates(adopt_days: np.ndarray, min_gap_days: int = 14) -> np.ndarray:
    """Decision dates (day numbers): adoption days, each closer than ``min_gap_days`` to the
    previous decision date merged into it.

    Parameters
    ----------
    adopt_days : array of int
        Day numbers of adoptions (any order, repeats allowed).
    min_gap_days : int
        Adoptions within this many days after a decision date belong to it.

    Returns
    -------
    ndarray of int
        Sorted decision dates.
    """
    out: list[int] = []
    for d in np.unique(np.asarray(adopt_days, np.int64)):
        if not out or d - out[-1] >= min_gap_days:
            out.append(int(d))
    return np.asarray(out, dtype=np.int64)


def _eligibility(dd: DayData, dates: np.ndarray, cfg: Config) -> np.ndarray:
    """Whether each person crosses the threshold on each decision date, shape (n, len(dates)).

    Points count offences up to the day before the date, under the version in force on it.
    Only people with an offence in the matrix window are scored (the others have no points).
    """
    n = len(dd.ids)
    out = np.zeros((n, len(dates)), dtype=bool)
    rows = np.repeat(np.arange(n), len(dates))
    cols = np.tile(np.arange(len(dates)), n)
    d = dates[cols]
    some = dd.count(dd.off_key, rows, d - cfg.matrix_window_days, d - 1) > 0
    if any(v.threshold <= 0 for v in cfg.matrix_versions):   # zero points would cross
        some[:] = True
    rows, cols = rows[some], cols[some]
    names = np.array([cfg.matrix_version_on(s).name for s in pd.to_datetime(_EPOCH + dates)])
    for v in pd.unique(names):
        k = names[cols] == v
        pairs = pd.DataFrame({"person_id": dd.ids[rows[k]],
                              "date": pd.to_datetime(_EPOCH + dates[cols[k]] - 1)})
        mp = matrix_points(dd.offences, pairs, cfg, version=v)
        out[rows[k], cols[k]] = mp["crosses"].to_numpy()
    return out


def _points(dd: DayData, rows: np.ndarray, days: np.ndarray, cfg: Config) -> np.ndarray:
    """Matrix points on the day before each decision date (version in force on the date)."""
    out = np.zeros(len(rows))
    names = np.array([cfg.matrix_version_on(s).name
                      for s in pd.to_datetime(_EPOCH + np.unique(days))])
    by_day = dict(zip(np.unique(days), names))
    vs = np.array([by_day[d] for d in days])
    for v in pd.unique(vs):
        k = vs == v
        pairs = pd.DataFrame({"person_id": dd.ids[rows[k]],
                              "date": pd.to_datetime(_EPOCH + days[k] - 1)})
        out[k] = matrix_points(dd.offences, pairs, cfg, version=v)["points"].to_numpy()
    return out


def decision_risk_sets(dd: DayData, config: Config | None = None, *, follow_up_days: int = 365,
                       min_gap_days: int = 14, recent_days: int = 91, cooling_days: int = 91,
                       history_days: int = 730) -> pd.DataFrame:
    """One risk set per decision date: everyone the panel could have adopted on it.

    See the module docstring for the rules. A person can be in many risk sets (cluster by
    person); those adopted at a decision date are *adopted*, the rest are the comparison (they
    may be adopted later: an intention-to-treat comparison).

    Parameters
    ----------
    dd : DayData
        From :func:`day_data`.
    config : Config, optional
        The selection matrix (the packaged default if omitted).
    follow_up_days : int
        Days of follow-up after the decision day.
    min_gap_days : int
        Adoption days closer than this to the previous decision date are merged into it.
    recent_days : int
        An offence is required in this many days before the decision date.
    cooling_days : int
        People removed in this many days before the decision date are not in the risk set.
    history_days : int
        Days of data needed before the decision date (the selection window and a year before).

    Returns
    -------
    DataFrame
        One row per (person, decision date): ``row``, ``person_id``, ``decision_day``,
        ``decision_date``, ``adopted`` and the history and follow-up columns of
        :func:`iomlib.impact.panel.risk_sets` (``month_end`` is the decision date;
        ``months_eligible_12`` is 12 x the share of the decision dates of the previous 365 days
        on which the person crossed the threshold).
    """
    cfg = config or default_config()
    dates = decision_dates(dd.adopt_day, min_gap_days)
    if len(dates) == 0:
        raise IomError("impact: no adoptions on or before the as-of date")
    nxt = np.append(dates[1:], dates[-1] + min_gap_days)
    valid = np.flatnonzero((dates - history_days >= dd.day0)
                           & (dates + follow_up_days <= dd.last))
    if len(valid) == 0:
        raise IomError("impact: no decision date has the history and follow-up needed; the "
                       "data are too short or the as-of date too early")
    used = np.flatnonzero(dates >= dates[valid[0]] - 365)
    elig = _eligibility(dd, dates[used], cfg)
    rows, js = _candidates(dd, dates, used, valid, elig, recent_days, cooling_days)
    d = dates[js]
    adopt_key = np.sort(dd.adopt_row.astype(np.int64) * dd.stride + (dd.adopt_day - dd.day0))
    adopted = dd.count(adopt_key, rows, d, nxt[js] - 1) > 0
    prior = (dates[used][None, :] < d[:, None]) & (dates[used][None, :] >= d[:, None] - 365)
    n_prior = prior.sum(axis=1)
    share = (elig[rows] & prior).sum(axis=1) / np.maximum(n_prior, 1)
    out = _history(dd, rows, d, cfg)
    out.update(_follow_up(dd, rows, d, follow_up_days))
    frame = pd.DataFrame({"row": rows, "person_id": dd.ids[rows], "decision_day": d,
                          "decision_date": pd.to_datetime(_EPOCH + d), "adopted":
                          adopted.astype(int), **out, "months_eligible_12": 12 * share})
    frame["m"] = js
    frame["month_end"] = frame["decision_date"]
    return frame


def _candidates(dd: DayData, dates, used, valid, elig, recent_days, cooling_days):
    """(row, date index) of everyone in the risk set of each valid decision date."""
    rem_key = np.sort(dd.remove_row.astype(np.int64) * dd.stride
                      + (dd.remove_day - dd.day0))
    every = np.arange(len(dd.ids))
    rows, js = [], []
    for j in valid:
        d = int(dates[j])
        c = d - dd.day0
        e = elig[:, int(np.searchsorted(used, j))]
        free = ~dd.managed[:, c] & ~(dd.custody[:, c] & dd.custody[:, c - 1])
        ok = e & free
        idx = every[ok]
        idx = idx[dd.count(dd.off_key, idx, d - recent_days, d - 1) > 0]
        idx = idx[dd.count(rem_key, idx, d - cooling_days, d - 1) == 0]
        rows.append(idx)
        js.append(np.full(len(idx), j))
    return np.concatenate(rows), np.concatenate(js)


def _history(dd: DayData, rows, d, cfg: Config) -> dict:
    """Covariates from the days strictly before each decision date."""
    out = {f: dd.count(dd.off_key, rows, d - b, d - a) for f, (a, b) in WINDOWS.items()}
    win = out["c_window"]
    lib_w = dd.days(dd.lib_cum, rows, d - 365, d - 1)
    out.update(_recency(dd, rows, d, cfg))
    out.update({
        "points": _points(dd, rows, d, cfg),
        "lib_window": lib_w,
        "managed_share_window": dd.days(dd.man_cum, rows, d - 365, d - 1) / np.maximum(lib_w,
                                                                                         1.0),
        "dom_share": dd.count(dd.dom_key, rows, d - 365, d - 1) / np.maximum(win, 1.0),
        "weap_share": dd.count(dd.weap_key, rows, d - 365, d - 1) / np.maximum(win, 1.0),
        "c_hist": dd.count(dd.off_key, rows, dd.day0, d - 366),
        "lib_hist": dd.days(dd.lib_cum, rows, dd.day0, d - 366),
        "ever_managed": (dd.days(dd.man_any_cum, rows, dd.day0, d - 1) > 0).astype(int),
        "age": pd.to_datetime(_EPOCH + d).year.to_numpy(float) - dd.birth_year[rows],
        "male": dd.male[rows].astype(int),
        "year": pd.to_datetime(_EPOCH + d).year.to_numpy(),
    })
    return out


def _follow_up(dd: DayData, rows, d, follow_up_days: int) -> dict:
    """Offences, offences on managed days, days at liberty and managed days at liberty in
    ``[d + 1, d + follow_up_days]``."""
    lo, hi = d + 1, d + follow_up_days
    return {"y": dd.count(dd.off_key, rows, lo, hi),
            "y_managed": dd.count(dd.man_key, rows, lo, hi),
            "liberty": dd.days(dd.lib_cum, rows, lo, hi),
            "managed_liberty": dd.days(dd.man_cum, rows, lo, hi)}


def _recency(dd: DayData, rows, d, cfg: Config) -> dict:
    """Recency of offending before each decision date: the suite's risk score on the day
    before, offences with a 14-day half-life, offences in the last 14 days, days since the last
    offence (capped at 730)."""
    pairs = pd.DataFrame({"person_id": dd.ids[rows], "date": pd.to_datetime(_EPOCH + d - 1)})
    before = np.searchsorted(dd.off_key, rows.astype(np.int64) * dd.stride + (d - dd.day0),
                             "left") - 1
    prev = dd.off_key[np.maximum(before, 0)]
    same = (before >= 0) & (prev // dd.stride == rows)
    since = np.where(same, d - (dd.day0 + prev % dd.stride), 730)
    return {"risk": compute_scores(dd.offences, pairs, cfg),
            "recent_decay": window_sums(dd.offences, np.ones(len(dd.offences)), pairs,
                                        window_days=365, half_life_days=14.0),
            "c_14": dd.count(dd.off_key, rows, d - 14, d - 1),
            "days_since": np.minimum(since, 730).astype(float)}


def decision_design(rs: pd.DataFrame) -> pd.DataFrame:
    """Covariates of the decision-date outcome model.

    Those of :func:`iomlib.impact.panel.history_design` (on windows of days before the decision
    date) and the recency of offending: log(1 + risk score), log(1 + offences with a 14-day
    half-life), log(1 + offences in the last 14 days), log(1 + days since the last offence) and
    the log of the whole recorded history's offences per year at liberty (shrunk: ``(c + 0.5) /
    (years + 0.5)``), which summarises a person's long-run rate (their frailty).

    Parameters
    ----------
    rs : DataFrame
        Risk sets from :func:`decision_risk_sets`.

    Returns
    -------
    DataFrame
        The design matrix (with a ``const`` column), indexed like ``rs``.
    """
    X = history_design(rs)
    extra = pd.DataFrame({"log1p_risk": np.log1p(rs["risk"]),
                          "log1p_recent_decay": np.log1p(rs["recent_decay"]),
                          "log1p_c_14": np.log1p(rs["c_14"]),
                          "log1p_days_since": np.log1p(rs["days_since"]),
                          "log_total_rate": np.log((rs["c_hist"] + rs["c_window"] + 0.5)
                                                   / ((rs["lib_hist"] + rs["lib_window"])
                                                      / 365.25 + 0.5))}, index=rs.index)
    keep = [c for c in extra.columns if extra[c].std() > 0]
    return pd.concat([X, extra[keep]], axis=1)
