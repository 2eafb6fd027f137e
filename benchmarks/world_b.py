"""World B: a second synthetic force, written independently of ``iomlib/data/synth.py``.

It shares no simulation code with the suite's own generator (it imports only numpy, pandas and
the suite's ``Dataset`` container) and differs from it on purpose, in the ways a real force
differs from the generator the estimators were developed on:

- **offending**: a day-level self-exciting process. Each person has a gamma frailty (so yearly
  counts are negative binomial, not Poisson) and every offence raises their daily rate for a few
  weeks (a burst of offending that decays with a 20-day time constant); at most one offence a
  day is recorded;
- **custody, day by day**: an offence leads to remand or a sentence starting a few days later
  with a probability that depends on its category; remand lasts days to weeks, short sentences
  weeks to months, long ones years;
- **panels on the second Wednesday** of each month: adoption and removal dates fall mid-month;
- **a waiting list and a capacity limit**: people whose panel score (an exponentially weighted
  severity of recent offences, not the suite's selection matrix) crosses a threshold join a
  waiting list; at each panel the highest scorers at liberty are adopted into the free places;
- **moves and deaths with recording lags**: people move away or die and stop being recorded; a
  managed person's removal is recorded 1 to 8 months later, an unmanaged person just vanishes;
- **effects vary across people and fade**: while managed, person *i*'s daily rate is multiplied
  by ``(1 - planted) ** (g_i * fade(t))`` with ``g_i`` log-normal (mean 1) and ``fade`` falling
  from 1.5 at adoption to 0.5 after two years on the scheme.

The truth is computed from both potential outcomes. The force is simulated twice with the same
random numbers: once as observed, once with the same panel decisions (the episodes replayed) but
management having no effect. The estimand, named in :data:`ESTIMAND`, is then::

    1 - (rate while managed, observed) / (rate on the same days, management without effect)

over the days at liberty in the first 12 months after each adoption made between
``truth_from`` and one year before the as-of date, among the people adopted; the rates are the
expected offences per day at liberty (the daily intensities, so the truth has no Poisson noise).

Usage (a quick look)::

    .venv/bin/python benchmarks/world_b.py --seed 1 --effect 0.3
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ESTIMAND = ("the proportional reduction in the offending rate per day at liberty while managed, "
            "over the first 12 months after adoption, among the people adopted")

_EPOCH = np.datetime64("1970-01-01", "D")
# category, relative frequency, custody probability, panel weight, weapon p, domestic p, code
_CATS = [
    ("shoplifting", .22, .02, 1.0, .00, .00, "46"),
    ("theft", .12, .04, 2.0, .00, .00, "39"),
    ("burglary", .10, .12, 4.0, .03, .00, "28E"),
    ("vehicle", .06, .06, 3.0, .00, .00, "48"),
    ("violence", .14, .10, 4.0, .12, .00, "8N"),
    ("domestic_abuse", .08, .10, 4.0, .05, 1.0, "8N"),
    ("robbery", .04, .35, 5.0, .30, .00, "34B"),
    ("drugs", .10, .04, 2.0, .00, .00, "92D"),
    ("weapons", .04, .15, 4.0, 1.0, .00, "10D"),
    ("criminal_damage", .05, .02, 1.0, .00, .10, "58A"),
    ("public_order", .03, .02, 1.0, .00, .05, "9A"),
    ("other", .02, .04, 2.0, .00, .00, "49"),
]


@dataclass(frozen=True)
class WorldB:
    """Parameters of world B (dates are ISO strings)."""

    seed: int = 1
    effect: float = 0.0            # planted effect at the start of an episode, before fading
    n_people: int = 4000
    start: str = "2013-01-01"
    end: str = "2020-01-31"        # the as-of date of the estimators
    scheme_start: str = "2014-01-01"
    truth_from: str = "2015-01-01"
    base_rate: float = 0.0045      # median daily rate (about 1.6 offences a year)
    frailty_shape: float = 0.9     # gamma shape of the person frailty (negative binomial)
    excitation: float = 0.8        # relative rise of the daily rate per recent offence
    excitation_days: float = 20.0
    capacity: int = 260
    score_threshold: float = 9.0
    score_days: float = 150.0      # time constant of the panel score
    move_per_year: float = 0.04
    death_per_year: float = 0.004
    effect_sd: float = 0.5         # sd of log g_i (effect heterogeneity)
    remove_after_days: int = 240   # earliest "reduced risk" removal


def panel_dates(start: str, end: str) -> pd.DatetimeIndex:
    """The second Wednesday of each month between ``start`` and ``end``.

    Parameters
    ----------
    start, end : str
        ISO dates.

    Returns
    -------
    DatetimeIndex
    """
    months = pd.date_range(pd.Timestamp(start).to_period("M").to_timestamp(), end, freq="MS")
    first_wed = months + pd.to_timedelta((2 - months.dayofweek) % 7, unit="D")
    out = first_wed + pd.Timedelta(days=7)
    return out[(out >= pd.Timestamp(start)) & (out <= pd.Timestamp(end))]


def _day(ts) -> int:
    return int((np.datetime64(pd.Timestamp(ts).date(), "D") - _EPOCH).astype(int))


class _People:
    """Fixed person traits drawn once (shared by both potential worlds)."""

    def __init__(self, p: WorldB, rng: np.random.Generator):
        n = p.n_people
        self.frailty = rng.gamma(p.frailty_shape, 1 / p.frailty_shape, n)
        self.birth_year = rng.integers(1960, 2002, n)
        self.male = rng.random(n) < 0.85
        mix = rng.dirichlet(np.ones(len(_CATS)) * 0.6, n)
        self.mix = 0.5 * mix + 0.5 * np.array([c[1] for c in _CATS])[None, :]
        self.g = np.exp(rng.normal(-p.effect_sd ** 2 / 2, p.effect_sd, n))
        horizon = _day(p.end) - _day(p.start) + 1
        self.move_day = _day(p.start) + rng.exponential(365.25 / p.move_per_year, n).astype(int)
        self.death_day = _day(p.start) + rng.exponential(365.25 / p.death_per_year,
                                                         n).astype(int)
        self.gone_day = np.minimum(self.move_day, self.death_day)
        self.record_lag = rng.integers(30, 240, n)
        self.horizon = horizon


def _fade(t_on: np.ndarray) -> np.ndarray:
    """Effect multiplier after ``t_on`` days on the scheme: 1.5 at adoption to 0.5 at 2 years."""
    return 0.5 + 1.0 * np.exp(-np.maximum(t_on, 0) / 300.0)


class _World:
    """One potential world: the daily loop's state and what it records."""

    def __init__(self, p: WorldB, ppl: _People, replay: list | None):
        n = p.n_people
        self.p, self.ppl, self.replay = p, ppl, replay
        self.exc = np.zeros(n)
        self.score = np.zeros(n)
        self.listed = np.zeros(n, dtype=bool)
        self.cust_end = np.full(n, -10 ** 6)
        self.cust_long = np.zeros(n, dtype=bool)
        self.cust_start = np.full(n, -10 ** 6)
        self.open_a = np.full(n, -1)           # adoption day of the open episode, -1 if none
        self.open_k = np.full(n, -1)           # its index in self.episodes
        self.last_removed = np.full(n, -10 ** 6)
        self.episodes: list = []               # [person, adopted day, removed day, reason]
        self.offences: list = []               # (person, day, category)
        self.spells: list = []                 # (person, start, end, kind)
        self.rate_sum = np.zeros(n)            # truth: intensity on managed days at liberty
        self.days_sum = np.zeros(n)

    def intensity(self, t: int, age: np.ndarray, effect: float) -> np.ndarray:
        p, ppl = self.p, self.ppl
        lam = p.base_rate * ppl.frailty * np.exp(-0.04 * np.maximum(age - 25, 0))
        lam = lam * (1 + p.excitation * self.exc)
        managed = self.open_a >= 0
        if effect > 0:
            t_on = t - self.open_a
            power = ppl.g * _fade(t_on)
            lam = np.where(managed & (t_on >= 1), lam * (1 - effect) ** power, lam)
        return lam


def _step(w: _World, t: int, lam: np.ndarray, u: np.ndarray, truth: tuple[int, int]) -> None:
    """Day ``t`` of world ``w``: offences, custody, the panel score and the truth sums."""
    p, ppl = w.p, w.ppl
    free = (t > w.cust_end) & (t < ppl.gone_day)
    t_on = t - w.open_a
    in_truth = ((w.open_a >= truth[0]) & (w.open_a <= truth[1]) & (t_on >= 1)
                & (t_on <= 365) & free)
    w.rate_sum[in_truth] += lam[in_truth]
    w.days_sum[in_truth] += 1
    off = free & (u[0] < np.minimum(lam, 0.5))
    w.exc *= np.exp(-1 / p.excitation_days)
    w.score *= np.exp(-1 / p.score_days)
    who = np.flatnonzero(off)
    if len(who) == 0:
        return
    cum = np.cumsum(ppl.mix[who], axis=1)
    cat = (u[1][who, None] > cum).sum(axis=1).clip(0, len(_CATS) - 1)
    w.exc[who] += 1
    w.score[who] += np.array([c[3] for c in _CATS])[cat]
    w.offences.extend(zip(who.tolist(), [t] * len(who), cat.tolist()))
    jailed = u[2][who] < np.array([c[2] for c in _CATS])[cat]
    for i, uk, ul in zip(who[jailed], u[3][who[jailed]], u[4][who[jailed]]):
        kind = "remand" if uk < 0.6 else ("short" if uk < 0.9 else "long")
        lo, hi = {"remand": (2, 60), "short": (30, 180), "long": (365, 1460)}[kind]
        end = t + 1 + int(lo + ul * (hi - lo))
        w.spells.append((int(i), t + 1, end, kind))
        w.cust_end[i] = end
        w.cust_start[i] = t + 1
        w.cust_long[i] = kind == "long"


def _panel(w: _World, t: int, u: np.ndarray) -> None:
    """A panel meeting on day ``t``: removals, then adoptions from the waiting list."""
    p, ppl = w.p, w.ppl
    on = w.open_a >= 0
    gone_known = on & (t >= ppl.gone_day + ppl.record_lag)
    long_c = on & w.cust_long & (t <= w.cust_end) & (t - w.cust_start > 90)
    rr = on & (t - w.open_a >= p.remove_after_days) & (w.score < 0.35 * p.score_threshold) \
        & (u[5] < 0.5)
    other = on & (u[6] < 0.004)
    for mask, reason in ((gone_known, None), (long_c, "long_custody"), (rr, "reduced_risk"),
                         (other, "other")):
        for i in np.flatnonzero(mask & (w.open_a >= 0)):
            why = reason or ("deceased" if ppl.death_day[i] <= ppl.move_day[i] else "moved_away")
            w.episodes[w.open_k[i]][2:] = [t, why]
            w.open_a[i], w.open_k[i], w.last_removed[i] = -1, -1, t
    free = (t > w.cust_end) & (t < ppl.gone_day) & (w.open_a < 0) & (t - w.last_removed > 90)
    cand = np.flatnonzero(w.listed & free & (w.score >= 0.7 * p.score_threshold))
    slots = p.capacity - int((w.open_a >= 0).sum())
    if slots > 0 and len(cand):
        chosen = cand[np.argsort(-(w.score[cand] + u[7][cand]))][:slots]
        for i in chosen:
            w.open_a[i], w.open_k[i] = t, len(w.episodes)
            w.episodes.append([int(i), t, None, None])
    w.listed = (w.score >= p.score_threshold) & (w.open_a < 0)


def _replay(w: _World, t: int, by_day: dict) -> None:
    """The observed world's panel decisions of day ``t``, replayed in the counterfactual one."""
    for i, a, r in by_day.get(t, ()):
        if a == t:
            w.open_a[i] = t
        if r == t:
            w.open_a[i] = -1


def _run(p: WorldB, ppl: _People, replay: list | None, effect: float) -> _World:
    w = _World(p, ppl, replay)
    d0, d1 = _day(p.start), _day(p.end)
    meet = {_day(d) for d in panel_dates(p.scheme_start, p.end)}
    truth = (_day(p.truth_from), d1 - 365)
    by_day: dict = {}
    for ep in replay or ():
        by_day.setdefault(ep[1], []).append(ep)
        if ep[2] is not None:
            by_day.setdefault(ep[2], []).append(ep)
    years = pd.to_datetime(_EPOCH + np.arange(d0, d1 + 1, 366)).year.to_numpy()
    for t in range(d0, d1 + 1):
        u = np.random.default_rng([p.seed, 7, t - d0]).random((8, p.n_people))
        age = years[(t - d0) // 366] - ppl.birth_year
        if replay is not None:
            _replay(w, t, by_day)
        elif t in meet:
            _panel(w, t, u)
        _step(w, t, w.intensity(t, age, effect), u, truth)
    return w


def simulate_b(params: WorldB | None = None):
    """Simulate world B: the dataset as a force would extract it, and the true effect.

    Parameters
    ----------
    params : WorldB, optional
        Defaults if omitted.

    Returns
    -------
    (Dataset, float)
        The force (people, episodes, offences, custody, idva_survey, as the suite's data
        model) and the truth of :data:`ESTIMAND` (NaN when nobody was adopted in the window).
    """
    p = params or WorldB()
    rng = np.random.default_rng([p.seed, 1])
    ppl = _People(p, rng)
    obs = _run(p, ppl, None, p.effect)
    if p.effect > 0:
        cf = _run(p, ppl, [tuple(e[:3]) for e in obs.episodes], 0.0)
        truth = 1 - (obs.rate_sum.sum() / max(obs.days_sum.sum(), 1)) / (
            cf.rate_sum.sum() / max(cf.days_sum.sum(), 1))
    else:
        truth = 0.0 if obs.days_sum.sum() > 0 else float("nan")
    return _tables(p, ppl, obs, rng), float(truth)


def _dates(days) -> pd.Series:
    return pd.Series(pd.to_datetime(_EPOCH + np.asarray(days, dtype=np.int64))).astype(
        "datetime64[ns]")


def _tables(p: WorldB, ppl: _People, w: _World, rng: np.random.Generator):
    from iomlib.data.dataset import Dataset
    ids = np.array([f"B{i + 1:05d}" for i in range(p.n_people)])
    areas = np.array(["North", "South", "East", "West"])
    people = pd.DataFrame({"person_id": ids, "birth_year": ppl.birth_year.astype(int),
                           "sex": np.where(ppl.male, "M", "F"),
                           "area": areas[rng.integers(0, 4, p.n_people)]})
    o = np.array(w.offences, dtype=np.int64).reshape(-1, 3)
    cats = np.array([c[0] for c in _CATS])[o[:, 2]]
    weap = rng.random(len(o)) < np.array([c[4] for c in _CATS])[o[:, 2]]
    dom = rng.random(len(o)) < np.array([c[5] for c in _CATS])[o[:, 2]]
    victim = np.where(rng.random(len(o)) < 0.6,
                      pd.Series(rng.integers(0, 10 ** 7, len(o))).map("V{:07d}".format), "")
    offences = pd.DataFrame({
        "offence_id": [f"O{k + 1:07d}" for k in range(len(o))], "person_id": ids[o[:, 0]],
        "offence_date": _dates(o[:, 1]),
        "offence_code": np.array([c[6] for c in _CATS])[o[:, 2]],
        "offence_category": cats, "weapon": weap, "domestic": dom | (cats == "domestic_abuse"),
        "victim_id": victim})
    s = w.spells
    custody = pd.DataFrame({"person_id": ids[[x[0] for x in s]],
                            "start_date": _dates([x[1] for x in s]),
                            "end_date": _dates([x[2] for x in s]),
                            "sentence_kind": [x[3] for x in s]})
    e = w.episodes
    end = _day(p.end)
    rem = [x[2] if x[2] is not None and x[2] <= end else None for x in e]
    episodes = pd.DataFrame({
        "episode_id": [f"E{k + 1:05d}" for k in range(len(e))],
        "person_id": ids[[x[0] for x in e]],
        "cohort": "IOM", "adopted_on": _dates([x[1] for x in e]),
        "removed_on": pd.Series([pd.NaT if r is None else pd.Timestamp(_EPOCH + r) for r in rem],
                                dtype="datetime64[ns]"),
        "removal_reason": [x[3] if r is not None else None for x, r in zip(e, rem)]})
    return Dataset(people=people, episodes=episodes, offences=offences, custody=custody,
                   idva_survey=_survey(episodes, rng), risk_scores=None,
                   source=f"world_b(seed={p.seed}, effect={p.effect})")


def _survey(episodes: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """A small IDVA survey: one survivor per tenth episode, most of them responding."""
    ep = episodes.iloc[::10]
    n = len(ep)
    responded = rng.random(n) < 0.7
    ref = ep["adopted_on"].to_numpy() + pd.to_timedelta(rng.integers(1, 60, n), unit="D")
    resp_on = pd.Series(ref + pd.to_timedelta(rng.integers(30, 200, n), unit="D"))
    return pd.DataFrame({
        "survivor_id": [f"S{k + 1:05d}" for k in range(n)], "person_id": ep["person_id"].values,
        "referred_on": pd.Series(ref).astype("datetime64[ns]"), "responded": responded,
        "responded_on": resp_on.where(responded).astype("datetime64[ns]"),
        "felt_safer": pd.Series(np.where(responded, rng.choice(["yes", "no", "unsure"], n,
                                                               p=[.7, .2, .1]), None)),
        "risk_reduced": pd.Series(np.where(responded, rng.integers(1, 6, n), np.nan)).astype(
            "Int64"),
        "quality_of_life": pd.Series(np.where(responded, rng.integers(1, 6, n), np.nan)).astype(
            "Int64")})


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--effect", type=float, default=0.3)
    ap.add_argument("--people", type=int, default=4000)
    args = ap.parse_args(argv)
    import time
    t0 = time.perf_counter()
    ds, truth = simulate_b(replace(WorldB(), seed=args.seed, effect=args.effect,
                                   n_people=args.people))
    print(f"simulated in {time.perf_counter() - t0:.1f} s; truth {truth:.3f}")
    for name in ("people", "episodes", "offences", "custody", "idva_survey"):
        print(name, len(getattr(ds, name)))
    from iomlib.impact import StructuralRate
    m = StructuralRate().fit(ds)
    print("g-estimate", m.headline())
    return 0


if __name__ == "__main__":
    sys.exit(main())
