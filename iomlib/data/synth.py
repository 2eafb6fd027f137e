"""A calibrated synthetic force: the suite's embedded default data.

How it works
------------
1. **People** with heterogeneous base offending rates (log-normal), an offence-type profile
   (acquisitive, violent, domestic, drugs or weapons archetype), an age-crime decline, and a
   transient log-rate state (AR(1)) that creates peaks of offending: selecting people at a peak is
   what makes regression to the mean arise by itself.
2. **A stream of potential offences** is drawn once, independent of anything the scheme does.
3. **A monthly loop** (over months, vectorised over people) decides which potential offences
   happen: none while in custody, dead or moved away; while managed each one is prevented with
   probability ``true_effect`` (thinning a Poisson process multiplies the rate by
   ``1 - true_effect``). Realised offences may lead to custody (remand, short or long). At each
   month end the IOM panel removes nominals (reduced risk, long custody, moved away, deceased,
   other) and adopts the highest scorers on the selection matrix version in force, to the
   team's capacity; a DVIOM cohort runs from October 2017 and a knife cohort from January 2019.
4. **An IDVA survey** of survivors of DVIOM nominals' domestic abuse, with non-response.

Because every random number is drawn before the loop, the same seed gives the same bytes, and the
calibration knobs (``SynthParams``) change the outcome smoothly. The default seed's knobs are
calibrated (``calibrate``) so that, with the default configuration and as-of date 2020-01-31, the
headline figures equal the published ones (see ``CALIBRATION_TARGETS``).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from iomlib.config.settings import Config, default_config
from iomlib.data.dataset import Dataset
from iomlib.data.schema import TABLES

CATEGORIES = ("burglary", "robbery", "vehicle", "theft", "shoplifting", "violence",
              "domestic_abuse", "drugs", "weapons", "criminal_damage", "public_order", "other")
# archetype offence mixes (rows sum to 1), in CATEGORIES order
_ARCHETYPES = np.array([
    [.18, .04, .12, .10, .30, .05, .00, .08, .01, .05, .03, .04],   # acquisitive
    [.03, .06, .02, .03, .06, .35, .05, .08, .06, .10, .12, .04],   # violent
    [.01, .01, .01, .02, .05, .15, .50, .05, .02, .08, .06, .04],   # domestic
    [.03, .04, .03, .04, .08, .08, .02, .50, .06, .04, .04, .04],   # drugs
    [.02, .15, .02, .03, .05, .20, .02, .15, .25, .04, .05, .02],   # weapons
])
_ARCHETYPE_P = np.array([.45, .20, .15, .12, .08])
_WEAPON_P = dict(robbery=.25, violence=.10, weapons=1.0, domestic_abuse=.04, burglary=.02)
_CUSTODY_P = dict(burglary=.10, robbery=.30, vehicle=.06, theft=.05, shoplifting=.03,
                  violence=.08, domestic_abuse=.08, drugs=.05, weapons=.12, criminal_damage=.02,
                  public_order=.02, other=.04)
_VICTIM_CATS = {"burglary", "robbery", "vehicle", "theft", "violence", "domestic_abuse",
                "criminal_damage"}
_AREAS = ("City North", "City South", "County East", "County West", "Mansfield & Ashfield")

CALIBRATION_TARGETS = {
    "unique_nominals": 578, "active_cohort": 317, "removed_mean_reduction_pct": 73.9,
    "month12_mean_reduction_pct": 52.9, "idva_felt_safer_pct": 86.0,
}


@dataclass(frozen=True)
class SynthParams:
    """Parameters of the synthetic force. The knobs after ``true_effect`` are calibration knobs."""

    seed: int = 20160101
    n_people: int = 4000
    start: str = "2013-01-01"
    end: str = "2021-12-31"
    scheme_start: str = "2014-01-31"
    true_effect: float = 0.20
    base_rate_median: float = 0.20      # potential offences per month (median person)
    base_rate_sigma: float = 1.0
    ar_rho: float = 0.70
    ar_sigma: float = 0.50
    # calibration knobs
    capacity_2016: int = 250            # team capacity (all cohorts) at the end of 2015
    capacity_2020: int = 317            # capacity at 2020-01-31 (the published active cohort)
    rr_fraction: float = 0.2286         # "reduced risk" once panel score < fraction x adoption
    rr_monthly_p: float = 0.1366
    other_monthly_p: float = 0.003
    selection_noise: float = 2.0        # sd of the panel's discretion, in matrix points
    rr_min_months: int = 6              # earliest "reduced risk" removal
    managed_custody_factor: float = 1.4071  # enforcement: custody more likely for managed offending
    long_custody_removal_lag_days: int = 120  # panel removes once sentenced (after the lag)
    long_custody_p: float = 0.10        # share of custody outcomes that are long sentences
    profile_purity: float = 0.9         # share of a person's offence mix from their archetype
    idva_response_p: float = 0.575
    idva_safer_p: float = 0.824


def _month_starts(start, end) -> pd.DatetimeIndex:
    return pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="MS")


def _piecewise(x, xs, ys):
    return np.interp(x, xs, ys)


def simulate(params: SynthParams | None = None, config: Config | None = None) -> Dataset:
    """Simulate one synthetic force and return it as a :class:`~iomlib.data.dataset.Dataset`.

    Parameters
    ----------
    params : SynthParams, optional
        The force's parameters (seed, size, period, calibration knobs); the calibrated default
        if omitted.
    config : Config, optional
        Severity table, weapon uplift, half-life and selection-matrix versions used by the
        simulated panel; the packaged default if omitted.

    Returns
    -------
    Dataset
        people, episodes, offences, custody and idva_survey (no imported risk scores).
    """
    p = params or SynthParams()
    cfg = config or default_config()
    ss = np.random.SeedSequence(p.seed)
    r_people, r_stream, r_loop = (np.random.default_rng(s) for s in ss.spawn(3))
    cal = _calendar(p)
    people = _draw_people(p, r_people, cal)                          # 1. people
    stream = _draw_stream(p, r_stream, cal, people)                  # 2. potential offences
    scheme = _run_months(p, cfg, r_loop, cal, people, stream)        # 3. the monthly loop
    return _tables(p, cfg, people, stream, scheme)                   # 4. tables


_EPOCH = np.datetime64("1970-01-01", "D")


def _day(date) -> np.int64:
    """Day number (days since 1970-01-01) of an ISO date."""
    return (np.datetime64(date, "D") - _EPOCH).astype(np.int64)


@dataclass(frozen=True)
class _Calendar:
    """The simulated months: first and last day of each (day numbers)."""

    months: pd.DatetimeIndex
    mstart: np.ndarray
    mend: np.ndarray


def _calendar(p: SynthParams) -> _Calendar:
    months = _month_starts(p.start, p.end)
    mstart = (months.values.astype("datetime64[D]") - _EPOCH).astype(np.int64)
    mend = ((months + pd.offsets.MonthEnd(0)).values.astype("datetime64[D]") - _EPOCH
            ).astype(np.int64)
    return _Calendar(months, mstart, mend)


@dataclass(frozen=True)
class _People:
    """Who the force's offenders are (one entry per person)."""

    birth_year: np.ndarray
    sex: np.ndarray
    area: np.ndarray
    profile: np.ndarray        # (N, C) offence-type mix
    base: np.ndarray           # base rate of potential offences per month
    death_month: np.ndarray    # months from the start
    move_month: np.ndarray


def _draw_people(p: SynthParams, rng: np.random.Generator, cal: _Calendar) -> _People:
    N, C = p.n_people, len(CATEGORIES)
    age0 = np.clip(17 + rng.gamma(2.0, 6.5, N), 16, 70)
    birth_year = (cal.months[0].year - np.floor(age0)).astype(int)
    sex = np.where(rng.random(N) < 0.86, "M", "F")
    area = np.array(_AREAS)[rng.integers(0, len(_AREAS), N)]
    arche = rng.choice(len(_ARCHETYPES), N, p=_ARCHETYPE_P)
    profile = (p.profile_purity * _ARCHETYPES[arche]
               + (1 - p.profile_purity) * rng.dirichlet(np.ones(C), N))
    base = np.exp(np.log(p.base_rate_median) + p.base_rate_sigma * rng.standard_normal(N))
    death_month = rng.geometric(0.0005, N)
    move_month = rng.geometric(0.0025, N)
    return _People(birth_year, sex, area, profile, base, death_month, move_month)


@dataclass(frozen=True)
class _Stream:
    """Potential offences (independent of the scheme), sorted by (month, day, person).

    ``u_thin`` and ``u_cust`` are the uniforms that decide prevention and custody; ``kind``,
    ``dur`` and ``delay`` the custody spell an offence would trigger; ``bounds[m]:bounds[m+1]``
    the offences of month ``m``.
    """

    person: np.ndarray
    month: np.ndarray
    cat: np.ndarray
    day: np.ndarray
    weapon: np.ndarray
    u_thin: np.ndarray
    u_cust: np.ndarray
    cust_p: np.ndarray
    kind: np.ndarray
    dur: np.ndarray
    delay: np.ndarray
    partner: np.ndarray
    bounds: np.ndarray


def _offence_counts(p: SynthParams, rng: np.random.Generator, cal: _Calendar,
                    people: _People) -> np.ndarray:
    """(N, M) potential offences per person-month: base rate x AR(1) state x age decline."""
    N, M = p.n_people, len(cal.months)
    sd_stat = p.ar_sigma / np.sqrt(1 - p.ar_rho ** 2)
    z = np.empty((N, M))
    z[:, 0] = sd_stat * rng.standard_normal(N)
    eps = rng.standard_normal((N, M))
    for m in range(1, M):
        z[:, m] = p.ar_rho * z[:, m - 1] + p.ar_sigma * eps[:, m]
    age = (cal.months.year.values[None, :] - people.birth_year[:, None]).astype(float)
    age_f = np.exp(-0.035 * np.clip(age - 24, 0, None))
    rate = people.base[:, None] * np.exp(z - sd_stat ** 2 / 2) * age_f
    return rng.poisson(rate)


def _draw_stream(p: SynthParams, rng: np.random.Generator, cal: _Calendar,
                 people: _People) -> _Stream:
    counts = _offence_counts(p, rng, cal, people)
    C = len(CATEGORIES)
    pi, mi = np.nonzero(counts)
    reps = counts[pi, mi]
    person = np.repeat(pi, reps)
    month = np.repeat(mi, reps)
    n_pot = len(person)
    cum = np.cumsum(people.profile, axis=1)
    u = rng.random(n_pot)
    cat = (u[:, None] > cum[person]).sum(axis=1).clip(0, C - 1)
    mlen = cal.mend - cal.mstart + 1
    day = cal.mstart[month] + np.floor(rng.random(n_pot) * mlen[month]).astype(np.int64)
    wp = np.array([_WEAPON_P.get(c, .005) for c in CATEGORIES])
    weapon = rng.random(n_pot) < wp[cat]
    u_thin = rng.random(n_pot)
    cp = np.array([_CUSTODY_P[c] for c in CATEGORIES])
    u_cust = rng.random(n_pot)
    long_p = np.where(np.isin(cat, [CATEGORIES.index("robbery"), CATEGORIES.index("weapons")]),
                      2 * p.long_custody_p, p.long_custody_p)
    uk = rng.random(n_pot)
    kind = np.where(uk < 0.35, 0, np.where(uk < 1 - long_p, 1, 2))  # remand, short, long
    ud = rng.random(n_pot)
    dur = np.select([kind == 0, kind == 1], [7 + ud * 113, 28 + ud * 154], 365 + ud * 1095
                    ).astype(np.int64)
    delay = np.where(kind == 0, rng.integers(0, 8, n_pot), rng.integers(14, 91, n_pot))
    n_partners = 1 + rng.poisson(0.4, p.n_people)
    partner = np.minimum((rng.random(n_pot) ** 1.5 * n_partners[person]).astype(int),
                         n_partners[person] - 1)
    order = np.lexsort((person, day, month))
    cols = [a[order] for a in (person, month, cat, day, weapon, u_thin, u_cust, cp[cat], kind,
                               dur, delay, partner)]
    bounds = np.searchsorted(cols[1], np.arange(len(cal.months) + 1))
    return _Stream(*cols, bounds)


@dataclass(frozen=True)
class _Schedule:
    """When each cohort runs, the team's capacity by month and the panel's score decay."""

    scheme_m: int
    dv_m: int
    knife_m: int
    cap_total: np.ndarray
    decay: np.ndarray


def _schedule(p: SynthParams, cfg: Config, cal: _Calendar) -> _Schedule:
    scheme_m = int(np.searchsorted(cal.mend, _day(p.scheme_start)))
    dv_m = int(np.searchsorted(cal.mend, _day("2017-10-31")))
    knife_m = int(np.searchsorted(cal.mend, _day("2019-01-31")))
    t_cap = [_day(d) for d in (p.scheme_start, "2015-12-31", "2020-01-31", p.end)]
    cap_total = np.round(_piecewise(cal.mend, t_cap, [140, p.capacity_2016, p.capacity_2020,
                                                      p.capacity_2020 + 8])).astype(int)
    decay = 0.5 ** ((np.arange(12) * 30.44 + 15) / cfg.risk.half_life_days)
    return _Schedule(scheme_m, dv_m, knife_m, cap_total, decay)


_REASONS = ("reduced_risk", "long_custody", "moved_away", "deceased", "other")
_DA = CATEGORIES.index("domestic_abuse")


class _Scheme:
    """State of the force during the monthly loop: offending so far, custody and the panel."""

    def __init__(self, p: SynthParams, n_months: int, stream: _Stream, weight: np.ndarray):
        N, M, C = p.n_people, n_months, len(CATEGORIES)
        self.weight = weight                                  # per potential offence
        self.realised = np.zeros(len(stream.person), dtype=bool)
        self.cnt = np.zeros((N, M, C), dtype=np.int16)        # offences by person, month, type
        self.wcnt = np.zeros((N, M), dtype=np.int16)          # weapon offences
        self.sevsum = np.zeros((N, M))                        # summed weights
        self.cust_start = np.full(N, -10 ** 9, dtype=np.int64)
        self.cust_end = np.full(N, -10 ** 9, dtype=np.int64)
        self.cust_kind = np.zeros(N, dtype=np.int8)
        self.spells = []                                      # (person, start, end, kind)
        self.open_cohort = np.full(N, -1, dtype=np.int8)      # -1 none, 0 IOM, 1 DVIOM, 2 KNIFE
        self.open_ep = np.full(N, -1, dtype=np.int64)
        self.last_removed = np.full(N, -10 ** 6, dtype=np.int64)
        self.adopt_month = np.zeros(N, dtype=np.int64)
        self.adopt_risk = np.zeros(N)
        self.episodes = []               # [person, cohort, adopt day, remove day, reason]

    def adopt(self, mask, rank, n_slots, cohort: int, m: int, D, proxy, free) -> None:
        """Adopt the ``n_slots`` highest-ranked people in ``mask`` (``free`` updated in place)."""
        n_slots = int(max(0, n_slots))
        cand = np.flatnonzero(mask)
        if n_slots == 0 or len(cand) == 0:
            return
        chosen = cand[np.argsort(-rank[cand], kind="stable")[:n_slots]]
        for i in chosen:
            self.open_ep[i] = len(self.episodes)
            self.episodes.append([i, cohort, D, None, None])
        self.open_cohort[chosen] = cohort
        self.adopt_month[chosen] = m
        self.adopt_risk[chosen] = proxy[chosen]
        free[chosen] = False


def _run_months(p: SynthParams, cfg: Config, rng: np.random.Generator, cal: _Calendar,
                people: _People, stream: _Stream) -> _Scheme:
    """The monthly loop (over months, vectorised over people): offending, then the panel."""
    sched = _schedule(p, cfg, cal)
    sev = np.array([cfg.risk.severity[c] for c in CATEGORIES])
    weight = sev[stream.cat] * (1 + cfg.risk.weapon_uplift * stream.weapon)
    M = len(cal.months)
    u_rem = rng.random((p.n_people, M))
    noise = rng.standard_normal((p.n_people, M))
    s = _Scheme(p, M, stream, weight)
    for m in range(M):
        _offending_month(p, s, people, stream, m)
        if m >= sched.scheme_m:
            _panel_month(p, cfg, s, sched, people, cal.mend[m], m, u_rem[:, m], noise[:, m])
    return s


def _offending_month(p: SynthParams, s: _Scheme, people: _People, st: _Stream, m: int) -> None:
    """Which of month ``m``'s potential offences happen, and the custody they trigger."""
    lo, hi = st.bounds[m], st.bounds[m + 1]
    if hi <= lo:
        return
    op, od = st.person[lo:hi], st.day[lo:hi]
    ok = (m < people.death_month[op]) & (m < people.move_month[op])
    ok &= ~((od >= s.cust_start[op]) & (od <= s.cust_end[op]))
    managed = s.open_cohort[op] >= 0
    ok &= ~(managed & (st.u_thin[lo:hi] < p.true_effect))
    # custody triggered by the earliest qualifying offence of a person at liberty
    cust_p = st.cust_p[lo:hi] * np.where(managed, p.managed_custody_factor, 1.0)
    trig = ok & (st.u_cust[lo:hi] < cust_p) & (s.cust_end[op] < od)
    if trig.any():
        ti = np.flatnonzero(trig)
        _, first = np.unique(op[ti], return_index=True)
        ti = ti[first]
        who = op[ti]
        start = od[ti] + st.delay[lo:hi][ti]
        end = start + st.dur[lo:hi][ti]
        s.cust_start[who], s.cust_end[who] = start, end
        s.cust_kind[who] = st.kind[lo:hi][ti]
        s.spells.extend(zip(who, start, end, st.kind[lo:hi][ti]))
        ok &= ~((od >= s.cust_start[op]) & (od <= s.cust_end[op]))
    s.realised[lo:hi] = ok
    idx = np.flatnonzero(ok)
    np.add.at(s.cnt, (op[idx], m, st.cat[lo:hi][idx]), 1)
    np.add.at(s.wcnt, (op[idx], m), st.weapon[lo:hi][idx].astype(np.int16))
    np.add.at(s.sevsum, (op[idx], m), s.weight[lo:hi][idx])


def _panel_month(p: SynthParams, cfg: Config, s: _Scheme, sched: _Schedule, people: _People,
                 D, m: int, u_rem: np.ndarray, noise: np.ndarray) -> None:
    """The panel at the end of month ``m`` (day ``D``): removals, then adoptions."""
    version = cfg.matrix_version_on(pd.Timestamp(_EPOCH + D))
    pts_vec = np.array([version.points[c] for c in CATEGORIES])
    a = max(0, m - 11)
    roll = s.cnt[:, a:m + 1, :].sum(axis=1)
    points = roll @ pts_vec + version.weapon_points * s.wcnt[:, a:m + 1].sum(axis=1)
    proxy = s.sevsum[:, a:m + 1][:, ::-1] @ sched.decay[:m + 1 - a]
    alive = (m < people.death_month) & (m < people.move_month)
    long_cust = (s.cust_kind == 2) & (s.cust_start <= D) & (s.cust_end >= D)
    _removals(p, s, people, D, m, proxy, long_cust, u_rem)
    free = alive & ~long_cust & (s.open_cohort < 0) & (m - s.last_removed >= 3)
    counted = ~long_cust  # the active cohort excludes nominals in long custody
    n_dv = int(((s.open_cohort == 1) & counted).sum())
    n_kn = int(((s.open_cohort == 2) & counted).sum())
    if m >= sched.dv_m:
        da12 = s.cnt[:, a:m + 1, _DA].sum(axis=1)
        cap_dv = min(40, 20 + 5 * (m - sched.dv_m))
        s.adopt(free & (da12 >= 2), da12 * 10 + proxy / 100 + noise, cap_dv - n_dv, 1, m, D,
                proxy, free)
    if m >= sched.knife_m:
        w12 = s.wcnt[:, a:m + 1].sum(axis=1)
        s.adopt(free & (w12 >= 1) & (points >= 0.5 * version.threshold),
                points + p.selection_noise * noise, 12 - n_kn, 2, m, D, proxy, free)
    n_open = int(((s.open_cohort >= 0) & counted).sum())
    s.adopt(free & (points >= version.threshold), points + p.selection_noise * noise,
            sched.cap_total[m] - n_open, 0, m, D, proxy, free)


def _removals(p: SynthParams, s: _Scheme, people: _People, D, m: int, proxy: np.ndarray,
              long_cust: np.ndarray, u_rem: np.ndarray) -> None:
    """Close the episodes the panel ends this month, with their reason (:data:`_REASONS`)."""
    on = s.open_cohort >= 0
    reason = np.full(p.n_people, -1)
    reason[on & (m >= people.death_month)] = 3
    reason[on & (reason < 0) & (m >= people.move_month)] = 2
    reason[on & (reason < 0) & long_cust
           & (s.cust_start <= D - p.long_custody_removal_lag_days)] = 1
    months_on = m - s.adopt_month
    rr = (on & (reason < 0) & (months_on >= p.rr_min_months)
          & (proxy < p.rr_fraction * s.adopt_risk) & (u_rem < p.rr_monthly_p))
    reason[rr] = 0
    reason[on & (reason < 0) & (u_rem > 1 - p.other_monthly_p)] = 4
    for i in np.flatnonzero(reason >= 0):
        s.episodes[s.open_ep[i]][3] = D
        s.episodes[s.open_ep[i]][4] = _REASONS[reason[i]]
        s.open_cohort[i] = -1
        s.open_ep[i] = -1
        s.last_removed[i] = m


def _tables(p: SynthParams, cfg: Config, people: _People, stream: _Stream,
            s: _Scheme) -> Dataset:
    """The simulated force as validated-looking tables."""
    person_ids = np.array([f"P{i + 1:06d}" for i in range(p.n_people)])
    people_df = pd.DataFrame({"person_id": person_ids, "birth_year": people.birth_year,
                              "sex": people.sex, "area": people.area})
    offences = _offences_table(cfg, stream, s.realised, person_ids)
    custody = _custody_table(p, s.spells, person_ids)
    episodes = _episodes_table(s.episodes, person_ids)
    for t, cols in ((offences, ["offence_date"]), (custody, ["start_date", "end_date"]),
                    (episodes, ["adopted_on", "removed_on"])):
        for c in cols:
            t[c] = t[c].astype("datetime64[ns]")
    survey = _survey(episodes, offences, p, survey_rng(p))
    for c in ("referred_on", "responded_on"):
        survey[c] = survey[c].astype("datetime64[ns]")
    return Dataset(people=people_df, episodes=episodes, offences=offences, custody=custody,
                   idva_survey=survey, risk_scores=None,
                   source=f"synthetic(seed={p.seed})")


def _offences_table(cfg: Config, st: _Stream, realised: np.ndarray,
                    person_ids: np.ndarray) -> pd.DataFrame:
    ridx = np.flatnonzero(realised)
    r_day, r_cat, r_person = st.day[ridx], st.cat[ridx], st.person[ridx]
    order = np.lexsort((r_person, r_day))
    ridx, r_day, r_cat, r_person = ridx[order], r_day[order], r_cat[order], r_person[order]
    n_off = len(ridx)
    cat_names = np.array(CATEGORIES)[r_cat]
    codes = cfg.severity_tables.set_index("offence_category")["ons_code"]
    victim = np.full(n_off, "", dtype=object)
    is_vict = np.isin(cat_names, list(_VICTIM_CATS))
    is_da = r_cat == _DA
    victim[is_vict & ~is_da] = [f"V{9000000 + j:07d}" for j in range(int((is_vict & ~is_da)
                                                                         .sum()))]
    victim[is_da] = [f"V{pp * 10 + k:07d}" for pp, k in zip(r_person[is_da],
                                                            st.partner[ridx][is_da])]
    return pd.DataFrame({
        "offence_id": [f"O{j + 1:07d}" for j in range(n_off)],
        "person_id": person_ids[r_person],
        "offence_date": pd.to_datetime(_EPOCH + r_day),
        "offence_code": codes.reindex(cat_names).to_numpy().astype(str),
        "offence_category": cat_names,
        "weapon": st.weapon[ridx].astype(bool),
        "domestic": is_da,
        "victim_id": pd.Series(victim).replace("", None).to_numpy(),
    })


def _custody_table(p: SynthParams, spells: list, person_ids: np.ndarray) -> pd.DataFrame:
    if not spells:
        return pd.DataFrame(columns=TABLES["custody"].column_names)
    kinds = np.array(["remand", "short", "long"])
    sp = np.array(spells, dtype=np.int64)
    custody = pd.DataFrame({"person_id": person_ids[sp[:, 0]],
                            "start_date": pd.to_datetime(_EPOCH + sp[:, 1]),
                            "end_date": pd.to_datetime(_EPOCH + sp[:, 2]),
                            "sentence_kind": kinds[sp[:, 3]]})
    return custody[sp[:, 1] <= _day(p.end)].sort_values(["start_date", "person_id"],
                                                         ignore_index=True)


def _episodes_table(episodes: list, person_ids: np.ndarray) -> pd.DataFrame:
    cohorts = np.array(["IOM", "DVIOM", "KNIFE"])
    ep = pd.DataFrame(episodes, columns=["p", "c", "a", "r", "reason"])
    return pd.DataFrame({
        "episode_id": [f"E{j + 1:05d}" for j in range(len(ep))],
        "person_id": person_ids[ep["p"].to_numpy(int)],
        "cohort": cohorts[ep["c"].to_numpy(int)],
        "adopted_on": pd.to_datetime(_EPOCH + ep["a"].to_numpy(np.int64)),
        "removed_on": pd.to_datetime([_EPOCH + int(x) if x is not None and x == x else None
                                      for x in ep["r"]]),
        "removal_reason": ep["reason"].to_numpy(object),
    })


def survey_rng(p: SynthParams) -> np.random.Generator:
    """The survey's own random stream (independent of the offending process).

    Parameters
    ----------
    p : SynthParams
        The force's parameters (its seed).
    """
    return np.random.default_rng(np.random.SeedSequence([p.seed, 7]))


def _survey(episodes: pd.DataFrame, offences: pd.DataFrame, p: SynthParams, rng) -> pd.DataFrame:
    """Survivors of DVIOM nominals' domestic abuse, referred to the IDVA service, and the survey."""
    dv = episodes[episodes["cohort"] == "DVIOM"]
    da = offences[offences["domestic"] & offences["victim_id"].notna()]
    m = da.merge(dv[["person_id", "adopted_on", "removed_on"]], on="person_id")
    end = pd.Timestamp(p.end)
    m = m[(m["offence_date"] >= m["adopted_on"] - pd.Timedelta(days=365))
          & (m["offence_date"] <= m["removed_on"].fillna(end))]
    m = m.assign(ref=np.maximum(m["offence_date"].values, m["adopted_on"].values))
    first = m.sort_values(["ref", "victim_id"]).drop_duplicates("victim_id")
    n = len(first)
    referred = pd.to_datetime(first["ref"].values) + pd.to_timedelta(
        rng.integers(0, 31, n), "D")
    responded = rng.random(n) < p.idva_response_p
    resp_on = referred + pd.to_timedelta(rng.integers(42, 121, n), "D")
    u = rng.random(n)
    felt = np.where(u < p.idva_safer_p, "yes", np.where(u < p.idva_safer_p + (1 - p.idva_safer_p)
                                                        / 2, "no", "unsure"))
    lik_p = {"yes": ([3, 4, 5], [.15, .45, .40]), "no": ([1, 2, 3], [.4, .4, .2]),
             "unsure": ([2, 3, 4], [.3, .4, .3])}
    rr = np.array([rng.choice(lik_p[f][0], p=lik_p[f][1]) for f in felt])
    qol = np.clip(rr + rng.choice([-1, 0, 0, 1], n), 1, 5)
    keep = referred <= end
    responded = responded & (resp_on <= end)
    out = pd.DataFrame({
        "survivor_id": [f"S{j + 1:05d}" for j in range(n)],
        "person_id": first["person_id"].to_numpy(),
        "referred_on": referred,
        "responded": responded,
        "responded_on": pd.Series(resp_on).where(responded).to_numpy(),
        "felt_safer": pd.Series(felt).where(responded).to_numpy(object),
        "risk_reduced": pd.array(np.where(responded, rr, 0), dtype="Int64"),
        "quality_of_life": pd.array(np.where(responded, qol, 0), dtype="Int64"),
    })
    out.loc[~responded, ["risk_reduced", "quality_of_life"]] = pd.NA
    out["felt_safer"] = out["felt_safer"].where(out["responded"], None)
    return out[keep].reset_index(drop=True)


def with_seed(seed: int, **changes) -> SynthParams:
    """The default parameters with another seed (and any other changes).

    Parameters
    ----------
    seed : int
        The seed.
    **changes
        Other fields of :class:`SynthParams` to change.

    Returns
    -------
    SynthParams
    """
    return replace(SynthParams(), seed=seed, **changes)


FORCES = (
    "Avon and Somerset", "Bedfordshire", "Cambridgeshire", "Cheshire", "City of London",
    "Cleveland", "Cumbria", "Derbyshire", "Devon and Cornwall", "Dorset", "Durham", "Dyfed-Powys",
    "Essex", "Gloucestershire", "Greater Manchester", "Gwent", "Hampshire", "Hertfordshire",
    "Humberside", "Kent", "Lancashire", "Leicestershire", "Lincolnshire", "Merseyside",
    "Metropolitan Police", "Norfolk", "North Wales", "North Yorkshire", "Northamptonshire",
    "Northumbria", "Nottinghamshire", "South Wales", "South Yorkshire", "Staffordshire", "Suffolk",
    "Surrey", "Sussex", "Thames Valley", "Warwickshire", "West Mercia", "West Midlands",
    "West Yorkshire", "Wiltshire",
)


def national_sizes(n_forces: int, total_people: int, seed: int) -> np.ndarray:
    """People per force: log-normal shares of ``total_people`` (deterministic for ``seed``).

    Parameters
    ----------
    n_forces : int
        Number of forces.
    total_people : int
        People over all forces (each force has at least 500).
    seed : int
        Seed of the shares.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 43]))
    share = np.exp(rng.normal(0, 0.6, n_forces))
    sizes = np.maximum(500, np.round(share / share.sum() * total_people)).astype(int)
    return sizes


def _simulate_force(args):
    f, seed, n_people, start, end, true_effect = args
    p = replace(SynthParams(), seed=seed * 100 + f, n_people=int(n_people), start=start, end=end,
                true_effect=true_effect, capacity_2016=max(20, int(250 * n_people / 4000)),
                capacity_2020=max(25, int(317 * n_people / 4000)))
    ds = simulate(p)
    code = f"F{f + 1:02d}"
    for name in ("people", "episodes", "offences", "custody", "idva_survey"):
        t = getattr(ds, name)
        for col in ("person_id", "episode_id", "offence_id", "survivor_id", "victim_id"):
            if col in t.columns:
                t[col] = (code + "-" + t[col].astype(str)).where(t[col].notna(), None)
    ds.people.insert(len(ds.people.columns), "force", FORCES[f] if f < len(FORCES)
                     else f"Force {f + 1}")
    return ds


def simulate_national(n_forces: int = 43, total_people: int = 300_000, seed: int = 20160101,
                      start: str = "2012-01-01", end: str = "2021-12-31",
                      true_effect: float = 0.20, jobs: int | None = None) -> Dataset:
    """A national dataset: ``n_forces`` synthetic forces (``people.force``), simulated in parallel.

    Deterministic for ``seed``: each force has its own seed, and forces are combined in order.
    Identifiers are prefixed with the force code (``F01-P000001``).

    Parameters
    ----------
    n_forces : int
        Number of forces (named after the 43 forces of England and Wales).
    total_people : int
        People over all forces.
    seed : int
        National seed; force ``f`` uses ``seed * 100 + f``.
    start, end : str
        Simulated period (ISO dates).
    true_effect : float
        Share of managed offending prevented.
    jobs : int, optional
        Worker processes (default: the number of CPUs; 1 runs in-process).
    """
    import os
    from concurrent.futures import ProcessPoolExecutor
    sizes = national_sizes(n_forces, total_people, seed)
    work = [(f, seed, sizes[f], start, end, true_effect) for f in range(n_forces)]
    jobs = jobs or os.cpu_count() or 1
    if jobs > 1:
        with ProcessPoolExecutor(jobs) as ex:
            parts = list(ex.map(_simulate_force, work))
    else:
        parts = [_simulate_force(w) for w in work]
    tables = {n: pd.concat([getattr(d, n) for d in parts], ignore_index=True)
              for n in ("people", "episodes", "offences", "custody", "idva_survey")}
    return Dataset(**tables, risk_scores=None,
                   source=f"synthetic-national(seed={seed}, forces={n_forces})")
