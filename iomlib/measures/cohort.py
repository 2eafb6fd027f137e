"""Cohort measures: unique nominals, the active managed cohort, status on a date."""
from __future__ import annotations

import pandas as pd

from iomlib.measures.episodes import select_episodes
from iomlib.measures.rows import measure_row


def unique_nominals(dataset, since, as_of, *, cohorts=None) -> pd.DataFrame:
    """Distinct people with an episode starting on or after ``since`` and on or before ``as_of``.

    Alternative shown beside it: the number of such episodes (a person re-adopted counts twice).

    Parameters
    ----------
    dataset : Dataset
        The data.
    since : date
        First day of the period (inclusive).
    as_of : date
        Last day of the period (inclusive).
    cohorts : str or list of str, optional
        Keep episodes of these cohorts (default: all; see
        :func:`iomlib.measures.episodes.select_episodes`).
    """
    s, t = pd.Timestamp(since), pd.Timestamp(as_of)
    sel = select_episodes(dataset.episodes, since=s, as_of=t, cohorts=cohorts)
    people = sel["person_id"].nunique()
    return pd.DataFrame([
        measure_row("unique_nominals", people, n=people, numerator=people, denominator=None,
                    definition=f"distinct people with an episode adopted {s.date()} to {t.date()}",
                    headline=True),
        measure_row("unique_nominals", len(sel), n=len(sel), numerator=len(sel), denominator=None,
                    definition="episodes adopted in the same period (re-adoptions count again)",
                    headline=False),
    ])


def status_on(dataset, date) -> pd.DataFrame:
    """Every episode open on ``date`` with the person's custody status on that date.

    Returns episode_id, person_id, cohort, adopted_on, status (``community``, ``remand``,
    ``short custody``, ``long custody``) and active (open and not in long custody).

    Parameters
    ----------
    dataset : Dataset
        The data.
    date : date
        The day.
    """
    t = pd.Timestamp(date)
    open_ = select_episodes(dataset.episodes, open_on=t)
    cu = dataset.custody
    inside = cu[(cu["start_date"] <= t) & (cu["end_date"] >= t)]
    rank = {"long": 3, "short": 2, "remand": 1}
    kind = (inside.assign(r=inside["sentence_kind"].map(rank)).sort_values("r")
            .drop_duplicates("person_id", keep="last").set_index("person_id")["sentence_kind"])
    out = open_[["episode_id", "person_id", "cohort", "adopted_on"]].copy()
    k = out["person_id"].map(kind)
    out["status"] = k.map({"long": "long custody", "short": "short custody",
                           "remand": "remand"}).fillna("community")
    out["active"] = out["status"] != "long custody"
    return out.reset_index(drop=True)


def active_cohort(dataset, as_of, *, cohorts=None) -> pd.DataFrame:
    """People with an open episode on ``as_of`` who are in the community or on a short sentence.

    Remand counts as active (not a long sentence). Alternative beside it: all open episodes,
    including nominals in long custody.

    Parameters
    ----------
    dataset : Dataset
        The data.
    as_of : date
        The day.
    cohorts : str or list of str, optional
        Keep episodes of these cohorts (default: all; see
        :func:`iomlib.measures.episodes.select_episodes`).
    """
    st = select_episodes(status_on(dataset, as_of), cohorts=cohorts)
    active = st.loc[st["active"], "person_id"].nunique()
    open_people = st["person_id"].nunique()
    t = pd.Timestamp(as_of).date()
    return pd.DataFrame([
        measure_row("active_cohort", active, n=active, numerator=active, denominator=open_people,
                    definition=f"people with an open episode on {t}, in the community, on remand "
                               "or on a short sentence", headline=True),
        measure_row("active_cohort", open_people, n=open_people, numerator=open_people,
                    denominator=None,
                    definition=f"people with an open episode on {t}, including long custody",
                    headline=False),
    ])


# --- additions for the appendix notebooks (issue 3) ------------------------------------------

STATUSES = ("community", "remand", "short custody", "long custody")


def restrict(dataset, cohort):
    """The dataset with only the episodes of ``cohort`` (people, offences etc. unchanged).

    Parameters
    ----------
    dataset : Dataset
        The data.
    cohort : str, list of str or None
        ``"all"`` or None keeps every episode; otherwise one cohort (``"IOM"``, ``"DVIOM"``,
        ``"KNIFE"``) or a list of them.

    Returns
    -------
    Dataset
        A shallow copy sharing every table except ``episodes``.
    """
    from dataclasses import replace

    from iomlib.data.schema import COHORTS
    from iomlib.errors import ParameterError
    if cohort is None or (isinstance(cohort, str) and cohort == "all"):
        return dataset
    wanted = [cohort] if isinstance(cohort, str) else list(cohort)
    bad = [c for c in wanted if c not in COHORTS]
    if bad or not wanted:
        raise ParameterError(f"cohort={cohort!r}: expected 'all' or one of {list(COHORTS)}")
    ep = dataset.episodes[dataset.episodes["cohort"].isin(wanted)].reset_index(drop=True)
    return replace(dataset, episodes=ep)


def status_counts(dataset, date, *, cohorts=None) -> pd.DataFrame:
    """People with an open episode on ``date`` by cohort and custody status (:func:`status_on`).

    Parameters
    ----------
    dataset : Dataset
        The data.
    date : date
        The day.
    cohorts : str or list of str, optional
        Keep episodes of these cohorts (default: all; see
        :func:`iomlib.measures.episodes.select_episodes`).

    Returns
    -------
    DataFrame
        cohort, status, active (bool), n (distinct people); every status of every cohort
        present in the episodes, zeros included, plus ``cohort == "all"`` rows counting each
        person once (a person with open episodes in two cohorts appears in both cohorts).
    """
    st = select_episodes(status_on(dataset, date), cohorts=cohorts)
    ep = select_episodes(dataset.episodes, cohorts=cohorts)
    cohorts_present = sorted(ep["cohort"].unique())
    rows = []
    for c in cohorts_present + ["all"]:
        sub = st if c == "all" else st[st["cohort"] == c]
        per = sub.drop_duplicates("person_id").groupby("status")["person_id"].size()
        for s in STATUSES:
            rows.append({"cohort": c, "status": s, "active": s != "long custody",
                         "n": int(per.get(s, 0))})
    return pd.DataFrame(rows, columns=["cohort", "status", "active", "n"])


def flows(dataset, since, as_of, *, freq: str = "M", cohorts=None) -> pd.DataFrame:
    """Adoptions and removals per month or year, dated within ``[since, as_of]``.

    Events after ``as_of`` are left out and periods with no event appear with ``n == 0``.

    Parameters
    ----------
    dataset : Dataset
        The data.
    since : date
        First day of the period (inclusive).
    as_of : date
        Last day of the period (inclusive).
    freq : {"M", "Y"}
        Month or year.
    cohorts : str or list of str, optional
        Keep episodes of these cohorts (default: all; see
        :func:`iomlib.measures.episodes.select_episodes`).

    Returns
    -------
    DataFrame
        period (``pandas.Period``), period_start (Timestamp), cohort, event (``adopted`` /
        ``removed``), n (episodes).
    """
    from iomlib.errors import ParameterError
    if freq not in ("M", "Y"):
        raise ParameterError(f"freq={freq!r}: expected 'M' (month) or 'Y' (year)")
    s, t = pd.Timestamp(since), pd.Timestamp(as_of)
    ep = select_episodes(dataset.episodes, cohorts=cohorts)
    a = ep[(ep["adopted_on"] >= s) & (ep["adopted_on"] <= t)]
    r = ep[ep["removed_on"].notna() & (ep["removed_on"] >= s) & (ep["removed_on"] <= t)]
    ev = pd.concat([
        pd.DataFrame({"period": a["adopted_on"].dt.to_period(freq), "cohort": a["cohort"],
                      "event": "adopted"}),
        pd.DataFrame({"period": r["removed_on"].dt.to_period(freq), "cohort": r["cohort"],
                      "event": "removed"}),
    ])
    periods = pd.period_range(s.to_period(freq), t.to_period(freq), freq=freq)
    cohorts_present = sorted(ep["cohort"].unique())
    grid = pd.MultiIndex.from_product([periods, cohorts_present, ["adopted", "removed"]],
                                      names=["period", "cohort", "event"])
    n = ev.groupby(["period", "cohort", "event"]).size().reindex(grid, fill_value=0)
    out = n.rename("n").reset_index()
    out.insert(1, "period_start", out["period"].dt.start_time)
    out["n"] = out["n"].astype(int)
    return out


def removal_reasons(dataset, since, as_of, *, cohorts=None) -> pd.DataFrame:
    """Episodes removed within ``[since, as_of]`` by removal reason.

    Parameters
    ----------
    dataset : Dataset
        The data.
    since : date
        First day of the period (inclusive).
    as_of : date
        Last day of the period (inclusive).
    cohorts : str or list of str, optional
        Keep episodes of these cohorts (default: all; see
        :func:`iomlib.measures.episodes.select_episodes`).

    Returns
    -------
    DataFrame
        removal_reason (every reason of the data model, zeros included; ``"not recorded"`` when
        empty), n (episodes), total (all removals), pct (n / total x 100).
    """
    from iomlib.data.schema import REMOVAL_REASONS
    s, t = pd.Timestamp(since), pd.Timestamp(as_of)
    ep = select_episodes(dataset.episodes, cohorts=cohorts)
    r = ep[ep["removed_on"].notna() & (ep["removed_on"] >= s) & (ep["removed_on"] <= t)]
    reason = r["removal_reason"].fillna("not recorded")
    order = list(REMOVAL_REASONS) + sorted(set(reason) - set(REMOVAL_REASONS))
    n = reason.value_counts().reindex(order, fill_value=0)
    out = n.rename("n").rename_axis("removal_reason").reset_index()
    out["n"] = out["n"].astype(int)
    total = int(out["n"].sum())
    out["total"] = total
    out["pct"] = 100 * out["n"] / total if total else float("nan")
    return out


def size_over_time(dataset, start, end, *, cohorts=None) -> pd.DataFrame:
    """Cohort size at every month end from ``start`` to ``end`` (calls :func:`status_on`).

    Parameters
    ----------
    dataset : Dataset
        The data.
    start, end : date
        First and last month (the last date is ``end`` itself).
    cohorts : str or list of str, optional
        Keep episodes of these cohorts (default: all; see
        :func:`iomlib.measures.episodes.select_episodes`).

    Returns
    -------
    DataFrame
        date (month end), cohort (each cohort and ``"all"``), open (people with an open
        episode) and active (of those, people not in long custody: the active-cohort definition
        of :func:`active_cohort`). The ``"all"`` rows come first at each date.
    """
    from iomlib.risk.engine import month_ends
    ep = select_episodes(dataset.episodes, cohorts=cohorts)
    cohorts_present = sorted(ep["cohort"].unique())
    rows = []
    for month_end in month_ends(start, end):  # one status_on call per month, not per person
        d = min(month_end, pd.Timestamp(end))
        st = select_episodes(status_on(dataset, d), cohorts=cohorts)
        for c in ["all"] + cohorts_present:
            sub = st if c == "all" else st[st["cohort"] == c]
            rows.append({"date": d, "cohort": c, "open": sub["person_id"].nunique(),
                         "active": sub.loc[sub["active"], "person_id"].nunique()})
    return pd.DataFrame(rows, columns=["date", "cohort", "open", "active"])


def first_nominal(dataset, *, since=None, as_of=None, cohorts=None) -> str:
    """The person of the earliest adoption in ``[since, as_of]`` (ties: lowest episode_id).

    Parameters
    ----------
    dataset : Dataset
        The data.
    since, as_of : date, optional
        Adoption dates considered (inclusive; default: all).
    cohorts : str or list of str, optional
        Keep episodes of these cohorts (default: all; see
        :func:`iomlib.measures.episodes.select_episodes`).

    Raises
    ------
    ParameterError
        When no episode matches.
    """
    from iomlib.errors import ParameterError
    ep = select_episodes(dataset.episodes, since=since, as_of=as_of, cohorts=cohorts)
    if ep.empty:
        raise ParameterError(f"no episode adopted between {since} and {as_of} "
                             f"(cohorts={cohorts!r}); pass person_id explicitly")
    return str(ep.sort_values(["adopted_on", "episode_id"])["person_id"].iloc[0])


def selection_groups(comparison: pd.DataFrame, first: str, second: str) -> pd.DataFrame:
    """Label who is selected under matrix version ``first``, ``second``, both or neither.

    Parameters
    ----------
    comparison : DataFrame
        :func:`iomlib.risk.matrix.compare_versions` output (``crosses_<version>`` columns).
    first, second : str
        Version names, e.g. ``"2016"`` and ``"2018"``.

    Returns
    -------
    DataFrame
        ``comparison`` plus ``group``: ``"both"``, ``"only <first>"``, ``"only <second>"`` or
        ``"neither"``.
    """
    from iomlib.errors import ParameterError
    for arg, v in (("first", first), ("second", second)):
        if f"crosses_{v}" not in comparison.columns:
            have = [c[len("crosses_"):] for c in comparison.columns if c.startswith("crosses_")]
            raise ParameterError(f"{arg}={v!r}: not a version in the comparison; versions: {have}")
    a = comparison[f"crosses_{first}"].astype(bool)
    b = comparison[f"crosses_{second}"].astype(bool)
    group = pd.Series("neither", index=comparison.index)
    group[a & b] = "both"
    group[a & ~b] = f"only {first}"
    group[~a & b] = f"only {second}"
    return comparison.assign(group=group)


def offence_mix(dataset, groups: pd.DataFrame, start, end) -> pd.DataFrame:
    """Offence-type composition of groups of people: offences dated in ``(start, end]``.

    Parameters
    ----------
    dataset : Dataset
        The data.
    groups : DataFrame
        person_id and group (a person may belong to several groups).
    start, end : date
        The window (``start`` excluded, ``end`` included).

    Returns
    -------
    DataFrame
        group, offence_category, n_offences, n_people (distinct offenders with one or more),
        group_people (people in the group), group_offences, share (% of the group's offences),
        weapon_offences.
    """
    from iomlib.errors import ParameterError
    missing = {"person_id", "group"} - set(groups.columns)
    if missing:
        raise ParameterError(f"groups: missing column(s) {sorted(missing)}")
    off = dataset.offences
    off = off[(off["offence_date"] > pd.Timestamp(start))
              & (off["offence_date"] <= pd.Timestamp(end))]
    g = groups[["person_id", "group"]].astype({"person_id": str}).drop_duplicates()
    m = g.merge(off.assign(person_id=off["person_id"].astype(str))[
        ["person_id", "offence_category", "weapon"]], on="person_id")
    out = (m.groupby(["group", "offence_category"])
           .agg(n_offences=("person_id", "size"), n_people=("person_id", "nunique"),
                weapon_offences=("weapon", "sum")).reset_index())
    out["group_people"] = out["group"].map(g.groupby("group")["person_id"].nunique())
    tot = out.groupby("group")["n_offences"].transform("sum")
    out["group_offences"] = tot
    out["share"] = 100 * out["n_offences"] / tot
    out["weapon_offences"] = out["weapon_offences"].astype(int)
    return out[["group", "offence_category", "n_offences", "n_people", "group_people",
                "group_offences", "share", "weapon_offences"]]


#: Label of the total row per group added by :func:`offence_mix_with_totals`.
MIX_TOTAL = "n (offences)"


def offence_mix_with_totals(mix: pd.DataFrame, total_label: str = MIX_TOTAL) -> pd.DataFrame:
    """The offence counts of :func:`offence_mix` with a total row per group, for publication.

    Parameters
    ----------
    mix : DataFrame
        From :func:`offence_mix`.
    total_label : str, default "n (offences)"
        ``offence_category`` of the total rows.

    Returns
    -------
    DataFrame
        group, offence_category, n_offences, n_people, group_people; one row per group and
        offence type, then the group's total row (``n_offences`` summed; ``n_people`` =
        ``group_people``), groups sorted by name. Suppress it with
        ``totals={"row": ("offence_category", total_label)}, by="group"``: the total row is
        what a reader sees of each group.
    """
    cols = ["group", "offence_category", "n_offences", "n_people", "group_people"]
    t = mix[cols]
    totals = (t.groupby("group", sort=False)
              .agg(n_offences=("n_offences", "sum"), group_people=("group_people", "first"))
              .reset_index().assign(offence_category=total_label))
    totals["n_people"] = totals["group_people"]
    return (pd.concat([t, totals[cols]]).sort_values("group", kind="stable")
            .reset_index(drop=True))
