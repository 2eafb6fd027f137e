"""Cohort measures: unique nominals, the active managed cohort, status on a date."""
from __future__ import annotations

import pandas as pd

from .measures import measure_row


def _filter(episodes: pd.DataFrame, cohorts) -> pd.DataFrame:
    if cohorts is None:
        return episodes
    if isinstance(cohorts, str):
        cohorts = [cohorts]
    return episodes[episodes["cohort"].isin(list(cohorts))]


def unique_nominals(dataset, since, as_of, *, cohorts=None) -> pd.DataFrame:
    """Distinct people with an episode starting on or after ``since`` and on or before ``as_of``.

    Alternative shown beside it: the number of such episodes (a person re-adopted counts twice).
    """
    ep = _filter(dataset.episodes, cohorts)
    s, t = pd.Timestamp(since), pd.Timestamp(as_of)
    sel = ep[(ep["adopted_on"] >= s) & (ep["adopted_on"] <= t)]
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
    """
    t = pd.Timestamp(date)
    ep = dataset.episodes
    open_ = ep[(ep["adopted_on"] <= t) & (ep["removed_on"].isna() | (ep["removed_on"] > t))]
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
    """
    st = status_on(dataset, as_of)
    if cohorts is not None:
        st = st[st["cohort"].isin([cohorts] if isinstance(cohorts, str) else list(cohorts))]
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


def adoptions_removals(dataset, *, freq: str = "M", cohorts=None) -> pd.DataFrame:
    """Adoptions and removals per period (``freq`` "M" or "Y"), tidy: period, event, cohort, n."""
    ep = _filter(dataset.episodes, cohorts)
    a = ep.assign(period=ep["adopted_on"].dt.to_period(freq), event="adopted")
    r = ep[ep["removed_on"].notna()]
    r = r.assign(period=r["removed_on"].dt.to_period(freq), event="removed")
    both = pd.concat([a, r])
    return (both.groupby(["period", "event", "cohort"]).size().rename("n").reset_index())
