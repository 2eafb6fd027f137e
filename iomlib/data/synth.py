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
    rr_fraction: float = 0.2286           # "reduced risk" once the panel's score < fraction x adoption
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
    """Simulate one synthetic force and return it as a :class:`~iomlib.data.dataset.Dataset`."""
    p = params or SynthParams()
    cfg = config or default_config()
    ss = np.random.SeedSequence(p.seed)
    r_people, r_stream, r_loop = (np.random.default_rng(s) for s in ss.spawn(3))
    months = _month_starts(p.start, p.end)
    M = len(months)
    N = p.n_people
    epoch = np.datetime64("1970-01-01", "D")
    mstart = (months.values.astype("datetime64[D]") - epoch).astype(np.int64)
    mend = ((months + pd.offsets.MonthEnd(0)).values.astype("datetime64[D]") - epoch
            ).astype(np.int64)
    mlen = mend - mstart + 1
    C = len(CATEGORIES)

    # ---- 1. people
    age0 = np.clip(17 + r_people.gamma(2.0, 6.5, N), 16, 70)
    birth_year = (months[0].year - np.floor(age0)).astype(int)
    sex = np.where(r_people.random(N) < 0.86, "M", "F")
    area = np.array(_AREAS)[r_people.integers(0, len(_AREAS), N)]
    arche = r_people.choice(len(_ARCHETYPES), N, p=_ARCHETYPE_P)
    profile = (p.profile_purity * _ARCHETYPES[arche]
               + (1 - p.profile_purity) * r_people.dirichlet(np.ones(C), N))
    base = np.exp(np.log(p.base_rate_median) + p.base_rate_sigma * r_people.standard_normal(N))
    death_month = r_people.geometric(0.0005, N)  # months from start
    move_month = r_people.geometric(0.0025, N)

    # ---- 2. potential offences (independent of the scheme)
    sd_stat = p.ar_sigma / np.sqrt(1 - p.ar_rho ** 2)
    z = np.empty((N, M))
    z[:, 0] = sd_stat * r_stream.standard_normal(N)
    eps = r_stream.standard_normal((N, M))
    for m in range(1, M):
        z[:, m] = p.ar_rho * z[:, m - 1] + p.ar_sigma * eps[:, m]
    age = (months.year.values[None, :] - birth_year[:, None]).astype(float)
    age_f = np.exp(-0.035 * np.clip(age - 24, 0, None))
    rate = base[:, None] * np.exp(z - sd_stat ** 2 / 2) * age_f
    counts = r_stream.poisson(rate)
    pi, mi = np.nonzero(counts)
    reps = counts[pi, mi]
    o_person = np.repeat(pi, reps)
    o_month = np.repeat(mi, reps)
    n_pot = len(o_person)
    cum = np.cumsum(profile, axis=1)
    u = r_stream.random(n_pot)
    o_cat = (u[:, None] > cum[o_person]).sum(axis=1).clip(0, C - 1)
    o_day = mstart[o_month] + np.floor(r_stream.random(n_pot) * mlen[o_month]).astype(np.int64)
    wp = np.array([_WEAPON_P.get(c, .005) for c in CATEGORIES])
    o_weapon = r_stream.random(n_pot) < wp[o_cat]
    u_thin = r_stream.random(n_pot)
    cp = np.array([_CUSTODY_P[c] for c in CATEGORIES])
    u_cust = r_stream.random(n_pot)
    o_cp = cp[o_cat]
    long_p = np.where(np.isin(o_cat, [CATEGORIES.index("robbery"), CATEGORIES.index("weapons")]),
                      2 * p.long_custody_p, p.long_custody_p)
    uk = r_stream.random(n_pot)
    o_kind = np.where(uk < 0.35, 0, np.where(uk < 1 - long_p, 1, 2))  # remand, short, long
    ud = r_stream.random(n_pot)
    o_dur = np.select([o_kind == 0, o_kind == 1], [7 + ud * 113, 28 + ud * 154], 365 + ud * 1095
                      ).astype(np.int64)
    o_delay = np.where(o_kind == 0, r_stream.integers(0, 8, n_pot),
                       r_stream.integers(14, 91, n_pot))
    n_partners = 1 + r_stream.poisson(0.4, N)
    o_partner = np.minimum((r_stream.random(n_pot) ** 1.5 * n_partners[o_person]).astype(int),
                           n_partners[o_person] - 1)
    # order potential offences by (month, day, person) for the loop
    order = np.lexsort((o_person, o_day, o_month))
    (o_person, o_month, o_cat, o_day, o_weapon, u_thin, u_cust, o_cp, o_kind, o_dur, o_delay,
     o_partner) = (a[order] for a in (o_person, o_month, o_cat, o_day, o_weapon, u_thin,
                                      u_cust, o_cp, o_kind, o_dur, o_delay, o_partner))
    month_bounds = np.searchsorted(o_month, np.arange(M + 1))

    # ---- 3. the monthly loop
    sev = np.array([cfg.risk.severity[c] for c in CATEGORIES])
    o_weight = sev[o_cat] * (1 + cfg.risk.weapon_uplift * o_weapon)
    u_rem = r_loop.random((N, M))
    noise = r_loop.standard_normal((N, M))
    realised = np.zeros(n_pot, dtype=bool)
    cnt = np.zeros((N, M, C), dtype=np.int16)
    wcnt = np.zeros((N, M), dtype=np.int16)
    sevsum = np.zeros((N, M))
    cust_start = np.full(N, -10 ** 9, dtype=np.int64)
    cust_end = np.full(N, -10 ** 9, dtype=np.int64)
    cust_kind = np.zeros(N, dtype=np.int8)
    spells = []  # (person, start, end, kind)
    open_cohort = np.full(N, -1, dtype=np.int8)  # -1 none, 0 IOM, 1 DVIOM, 2 KNIFE
    open_ep = np.full(N, -1, dtype=np.int64)
    last_removed = np.full(N, -10 ** 6, dtype=np.int64)
    adopt_month = np.zeros(N, dtype=np.int64)
    adopt_risk = np.zeros(N)
    episodes = []  # [person, cohort, adopt_day, remove_day, reason]
    reasons = ("reduced_risk", "long_custody", "moved_away", "deceased", "other")
    scheme_m = int(np.searchsorted(mend, (np.datetime64(p.scheme_start, "D") - epoch).astype(
        np.int64)))
    dv_m = int(np.searchsorted(mend, (np.datetime64("2017-10-31", "D") - epoch).astype(np.int64)))
    knife_m = int(np.searchsorted(mend, (np.datetime64("2019-01-31", "D") - epoch).astype(
        np.int64)))
    t_cap = [(np.datetime64(d, "D") - epoch).astype(np.int64) for d in
             (p.scheme_start, "2015-12-31", "2020-01-31", p.end)]
    cap_total = np.round(_piecewise(mend, t_cap, [140, p.capacity_2016, p.capacity_2020,
                                                  p.capacity_2020 + 8])).astype(int)
    decay = 0.5 ** ((np.arange(12) * 30.44 + 15) / cfg.risk.half_life_days)
    da = CATEGORIES.index("domestic_abuse")

    for m in range(M):
        lo, hi = month_bounds[m], month_bounds[m + 1]
        if hi > lo:
            op, od = o_person[lo:hi], o_day[lo:hi]
            ok = (m < death_month[op]) & (m < move_month[op])
            ok &= ~((od >= cust_start[op]) & (od <= cust_end[op]))
            managed = open_cohort[op] >= 0
            ok &= ~(managed & (u_thin[lo:hi] < p.true_effect))
            # custody triggered by the earliest qualifying offence of a person at liberty
            cust_p = o_cp[lo:hi] * np.where(managed, p.managed_custody_factor, 1.0)
            trig = ok & (u_cust[lo:hi] < cust_p) & (cust_end[op] < od)
            if trig.any():
                ti = np.flatnonzero(trig)
                _, first = np.unique(op[ti], return_index=True)
                ti = ti[first]
                who = op[ti]
                start = od[ti] + o_delay[lo:hi][ti]
                end = start + o_dur[lo:hi][ti]
                cust_start[who], cust_end[who] = start, end
                cust_kind[who] = o_kind[lo:hi][ti]
                spells.extend(zip(who, start, end, o_kind[lo:hi][ti]))
                ok &= ~((od >= cust_start[op]) & (od <= cust_end[op]))
            realised[lo:hi] = ok
            idx = np.flatnonzero(ok)
            np.add.at(cnt, (op[idx], m, o_cat[lo:hi][idx]), 1)
            np.add.at(wcnt, (op[idx], m), o_weapon[lo:hi][idx].astype(np.int16))
            np.add.at(sevsum, (op[idx], m), o_weight[lo:hi][idx])
        if m < scheme_m:
            continue
        # ---- panel at month end
        D = mend[m]
        version = cfg.matrix_version_on(pd.Timestamp(epoch + D))
        pts_vec = np.array([version.points[c] for c in CATEGORIES])
        a = max(0, m - 11)
        roll = cnt[:, a:m + 1, :].sum(axis=1)
        points = roll @ pts_vec + version.weapon_points * wcnt[:, a:m + 1].sum(axis=1)
        k = m + 1 - a
        proxy = sevsum[:, a:m + 1][:, ::-1] @ decay[:k]
        alive = (m < death_month) & (m < move_month)
        long_cust = (cust_kind == 2) & (cust_start <= D) & (cust_end >= D)
        # removals
        on = open_cohort >= 0
        reason = np.full(N, -1)
        reason[on & (m >= death_month)] = 3
        reason[on & (reason < 0) & (m >= move_month)] = 2
        reason[on & (reason < 0) & long_cust
               & (cust_start <= D - p.long_custody_removal_lag_days)] = 1
        months_on = m - adopt_month
        rr = (on & (reason < 0) & (months_on >= p.rr_min_months) & (proxy < p.rr_fraction * adopt_risk)
              & (u_rem[:, m] < p.rr_monthly_p))
        reason[rr] = 0
        reason[on & (reason < 0) & (u_rem[:, m] > 1 - p.other_monthly_p)] = 4
        for i in np.flatnonzero(reason >= 0):
            episodes[open_ep[i]][3] = D
            episodes[open_ep[i]][4] = reasons[reason[i]]
            open_cohort[i] = -1
            open_ep[i] = -1
            last_removed[i] = m
        # adoptions
        free = alive & ~long_cust & (open_cohort < 0) & (m - last_removed >= 3)

        def adopt(mask, rank, n_slots, cohort):
            n_slots = int(max(0, n_slots))
            cand = np.flatnonzero(mask)
            if n_slots == 0 or len(cand) == 0:
                return
            chosen = cand[np.argsort(-rank[cand], kind="stable")[:n_slots]]
            for i in chosen:
                open_ep[i] = len(episodes)
                episodes.append([i, cohort, D, None, None])
            open_cohort[chosen] = cohort
            adopt_month[chosen] = m
            adopt_risk[chosen] = proxy[chosen]
            free[chosen] = False

        counted = ~long_cust  # the active cohort excludes nominals in long custody
        n_dv = int(((open_cohort == 1) & counted).sum())
        n_kn = int(((open_cohort == 2) & counted).sum())
        if m >= dv_m:
            da12 = cnt[:, a:m + 1, da].sum(axis=1)
            cap_dv = min(40, 20 + 5 * (m - dv_m))
            adopt(free & (da12 >= 2), da12 * 10 + proxy / 100 + noise[:, m], cap_dv - n_dv, 1)
        if m >= knife_m:
            w12 = wcnt[:, a:m + 1].sum(axis=1)
            adopt(free & (w12 >= 1) & (points >= 0.5 * version.threshold),
                  points + p.selection_noise * noise[:, m], 12 - n_kn, 2)
        n_open = int(((open_cohort >= 0) & counted).sum())
        adopt(free & (points >= version.threshold), points + p.selection_noise * noise[:, m],
              cap_total[m] - n_open, 0)

    # ---- 4. tables
    person_ids = np.array([f"P{i + 1:06d}" for i in range(N)])
    people = pd.DataFrame({"person_id": person_ids, "birth_year": birth_year, "sex": sex,
                           "area": area})
    ridx = np.flatnonzero(realised)
    r_day = o_day[ridx]
    r_cat = o_cat[ridx]
    r_person = o_person[ridx]
    order = np.lexsort((r_person, r_day))
    ridx, r_day, r_cat, r_person = ridx[order], r_day[order], r_cat[order], r_person[order]
    n_off = len(ridx)
    cat_names = np.array(CATEGORIES)[r_cat]
    codes = cfg.severity_tables.set_index("offence_category")["ons_code"]
    victim = np.full(n_off, "", dtype=object)
    is_vict = np.isin(cat_names, list(_VICTIM_CATS))
    is_da = r_cat == da
    victim[is_vict & ~is_da] = [f"V{9000000 + j:07d}" for j in range(int((is_vict & ~is_da)
                                                                         .sum()))]
    victim[is_da] = [f"V{pp * 10 + k:07d}" for pp, k in zip(r_person[is_da],
                                                            o_partner[ridx][is_da])]
    offences = pd.DataFrame({
        "offence_id": [f"O{j + 1:07d}" for j in range(n_off)],
        "person_id": person_ids[r_person],
        "offence_date": pd.to_datetime(epoch + r_day),
        "offence_code": codes.reindex(cat_names).to_numpy().astype(str),
        "offence_category": cat_names,
        "weapon": o_weapon[ridx].astype(bool),
        "domestic": is_da,
        "victim_id": pd.Series(victim).replace("", None).to_numpy(),
    })
    kinds = np.array(["remand", "short", "long"])
    if spells:
        sp = np.array(spells, dtype=np.int64)
        custody = pd.DataFrame({"person_id": person_ids[sp[:, 0]],
                                "start_date": pd.to_datetime(epoch + sp[:, 1]),
                                "end_date": pd.to_datetime(epoch + sp[:, 2]),
                                "sentence_kind": kinds[sp[:, 3]]})
        last_day = (np.datetime64(p.end, "D") - epoch).astype(np.int64)
        custody = custody[sp[:, 1] <= last_day].sort_values(
            ["start_date", "person_id"], ignore_index=True)
    else:
        custody = pd.DataFrame(columns=TABLES["custody"].column_names)
    cohorts = np.array(["IOM", "DVIOM", "KNIFE"])
    ep = pd.DataFrame(episodes, columns=["p", "c", "a", "r", "reason"])
    episodes_df = pd.DataFrame({
        "episode_id": [f"E{j + 1:05d}" for j in range(len(ep))],
        "person_id": person_ids[ep["p"].to_numpy(int)],
        "cohort": cohorts[ep["c"].to_numpy(int)],
        "adopted_on": pd.to_datetime(epoch + ep["a"].to_numpy(np.int64)),
        "removed_on": pd.to_datetime([epoch + int(x) if x is not None and x == x else None
                                      for x in ep["r"]]),
        "removal_reason": ep["reason"].to_numpy(object),
    })
    for t, cols in ((offences, ["offence_date"]), (custody, ["start_date", "end_date"]),
                    (episodes_df, ["adopted_on", "removed_on"])):
        for c in cols:
            t[c] = t[c].astype("datetime64[ns]")
    survey = _survey(episodes_df, offences, p, survey_rng(p))
    for c in ("referred_on", "responded_on"):
        survey[c] = survey[c].astype("datetime64[ns]")
    return Dataset(people=people, episodes=episodes_df, offences=offences, custody=custody,
                   idva_survey=survey, risk_scores=None,
                   source=f"synthetic(seed={p.seed})")


def survey_rng(p: SynthParams) -> np.random.Generator:
    """The survey's own random stream (independent of the offending process)."""
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
    """People per force: log-normal shares of ``total_people`` (deterministic for ``seed``)."""
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
