"""What each appendix section needs before it can show anything, said in plain words.

Each function checks one condition a notebook section rests on and raises
:class:`~iomlib.measures.empty.NothingToShow` (or, for a whole notebook,
:class:`~iomlib.measures.empty.NothingAtAll` through :func:`~iomlib.measures.empty.stop`) with
one sentence saying what cannot be shown and why. The notebooks call them inside
:func:`~iomlib.measures.empty.section`, so the sentence is printed and the notebook goes on.
"""
from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pandas as pd

from iomlib.measures.empty import NothingToShow, require, stop

__all__ = ["adoptions", "categories", "cohort_present", "finite", "month12_reached",
           "flows_in_period", "national_available", "open_episodes", "profile_available",
           "impact_estimable", "impact_possible", "removals_counted", "with_points",
           "national_spread", "removals", "rows", "scored_at_adoption", "survey",
           "survey_respondents", "years_followed"]


def _d(date) -> str:
    return f"{pd.Timestamp(date):%d %B %Y}".lstrip("0")


def rows(table: pd.DataFrame, reason: str) -> pd.DataFrame:
    """``table`` if it has rows, else :class:`NothingToShow` with ``reason``.

    Parameters
    ----------
    table : DataFrame
    reason : str
        The sentence.

    Returns
    -------
    DataFrame
    """
    require(table is not None and len(table) > 0, reason)
    return table


def finite(value, reason: str) -> float:
    """``value`` as a float if it is a finite number, else :class:`NothingToShow`.

    Parameters
    ----------
    value : number or None
    reason : str
    """
    ok = value is not None and np.isfinite(pd.to_numeric(value, errors="coerce"))
    require(bool(ok), reason)
    return float(value)


def cohort_present(dataset, cohort: str) -> None:
    """Stop the notebook when the data have no episode of ``cohort`` at all.

    Parameters
    ----------
    dataset : Dataset
        The data restricted to the cohort.
    cohort : str
    """
    if len(dataset.episodes) == 0:
        stop(f"The data have no {cohort} episodes, so there is no {cohort} cohort to describe.")


def adoptions(dataset, since, as_of, *, what: str = "this section") -> None:
    """Require an episode adopted between ``since`` and ``as_of``.

    Parameters
    ----------
    dataset : Dataset
    since, as_of : date-like
    what : str
        What cannot be shown, for the sentence.
    """
    ep = dataset.episodes
    a = ep["adopted_on"]
    n = int(((a >= pd.Timestamp(since)) & (a <= pd.Timestamp(as_of))).sum())
    if n:
        return
    if len(ep) == 0:
        why = "the data have no episodes"
    else:
        why = (f"the data's adoptions run from {_d(a.min())} to {_d(a.max())}; set "
               "period_start and as_of to cover them")
    raise NothingToShow(f"No episode was adopted between {_d(since)} and {_d(as_of)} ({why}), "
                        f"so {what} cannot be shown.")


def removals(removed: pd.DataFrame, since, as_of) -> pd.DataFrame:
    """Require episodes removed in the period.

    Parameters
    ----------
    removed : DataFrame
        :func:`iomlib.measures.reduction.removed_episodes`.
    since, as_of : date-like
    """
    return rows(removed, f"No episode was removed between {_d(since)} and {_d(as_of)} (no "
                         "removals yet), so risk at removal cannot be shown.")


def month12_reached(reached: pd.DataFrame, as_of, months: int = 12) -> pd.DataFrame:
    """Require episodes that reached ``months`` months on the scheme by ``as_of``.

    Parameters
    ----------
    reached : DataFrame
        Episodes that reached the landmark.
    as_of : date-like
    months : int
    """
    return rows(reached, f"No episode had been on the scheme for {months} months by "
                         f"{_d(as_of)}, so the {months}-month figures cannot be shown.")


def scored_at_adoption(table: pd.DataFrame, column: str = "reduction_pct",
                       minimum: int = 3, baseline: str = "risk_at_adoption") -> pd.DataFrame:
    """Require at least ``minimum`` episodes with a defined % reduction, with some spread.

    Parameters
    ----------
    table : DataFrame
        One row per episode.
    column : str
        The % reduction (undefined where the score at adoption was zero).
    minimum : int
    baseline : str
        The score at adoption (must vary too).
    """
    d = table[column].dropna() if column in table else pd.Series(dtype=float)
    spread = d.nunique() > 1 and (baseline not in table
                                  or table.loc[d.index, baseline].nunique() > 1)
    require(len(d) >= minimum and spread,
            f"Only {len(d)} episode(s) had a risk score above zero at adoption and a defined "
            f"% reduction (at least {minimum}, not all equal, are needed), so the link between "
            "starting risk and reduction cannot be shown.")
    return table


def years_followed(years) -> list:
    """Require at least one adoption year whose 12-month follow-up is complete.

    Parameters
    ----------
    years : list of int
    """
    require(len(years) > 0, "No year of adoption in the period has a complete 12-month "
                            "follow-up by the as-of date, so Figure A cannot be shown.")
    return list(years)


def categories(order, *, what: str = "offence types") -> list:
    """Require at least one offence category to draw.

    Parameters
    ----------
    order : list of str
        Categories, most frequent first.
    what : str
    """
    require(len(order) > 0, f"Nobody in these groups has an offence in the matrix window, so "
                            f"there are no {what} to show.")
    return list(order)


def survey(dataset, as_of) -> None:
    """Stop the notebook when the IDVA survey has no referral up to ``as_of``.

    Parameters
    ----------
    dataset : Dataset
    as_of : date-like
    """
    sv = dataset.idva_survey
    if len(sv) == 0:
        stop("The IDVA survey table is empty, so there are no survey results to show.")
    if not (sv["referred_on"] <= pd.Timestamp(as_of)).any():
        stop(f"No survivor was referred to the IDVA service by {_d(as_of)}, so there are no "
             "survey results to show.")


def survey_respondents(n, as_of=None) -> None:
    """Require at least one respondent.

    Parameters
    ----------
    n : int or Dataset
        Respondents, or the data (respondents counted up to ``as_of``).
    as_of : date-like, optional
    """
    if hasattr(n, "idva_survey"):
        sv = n.idva_survey
        answered = sv["responded"].astype(bool)
        if as_of is not None:
            answered &= sv["responded_on"].isna() | (sv["responded_on"] <= pd.Timestamp(as_of))
        n = int(answered.sum())
    require(n > 0, "Nobody has answered the IDVA survey yet, so no answers can be shown.")


def national_spread(sd, n_forces: int) -> float:
    """Require a finite spread for the funnel plot.

    Parameters
    ----------
    sd : float
        Pooled standard deviation of the episodes' reductions.
    n_forces : int
    """
    return finite(sd, f"Fewer than two episodes reached 12 months with a defined reduction "
                      f"({n_forces} force(s)), so the funnel plot's limits cannot be drawn.")


def with_points(scores: pd.DataFrame, date, column: str = "points") -> pd.DataFrame:
    """Require somebody with selection-matrix points on ``date``.

    Parameters
    ----------
    scores : DataFrame
        :func:`iomlib.risk.matrix.select_on` (or any table with ``column``).
    date : date-like
    column : str
    """
    has = scores[scores[column] > 0] if column in scores else scores.iloc[0:0]
    return rows(has, f"Nobody has an offence in the 365 days up to {_d(date)}, so nobody has "
                     "selection-matrix points to show.")


def profile_available(dataset, since, as_of) -> None:
    """Stop the nominal-profile notebook when no episode was adopted in the period (and no
    ``person_id`` was given).

    Parameters
    ----------
    dataset : Dataset
    since, as_of : date-like
    """
    try:
        adoptions(dataset, since, as_of, what="a nominal's profile")
    except NothingToShow as exc:
        stop(f"{exc} Give person_id to profile a particular person.")


def national_available(national, sd) -> None:
    """Stop the national notebook when the national month-12 figure cannot be computed.

    Parameters
    ----------
    national : Series
        The "England and Wales" row of :func:`iomlib.measures.national.force_month12`.
    sd : float
        Its standard deviation.
    """
    n = pd.to_numeric(national.get("n"), errors="coerce")
    ok = (pd.notna(n) and n > 1 and np.isfinite(pd.to_numeric(sd, errors="coerce"))
          and np.isfinite(pd.to_numeric(national.get("value"), errors="coerce")))
    if not ok:
        stop("Fewer than two episodes had been on the scheme for 12 months with a risk score "
             "above zero at adoption, so there is no national figure to compare forces with.")


def open_episodes(status: pd.DataFrame, as_of) -> pd.DataFrame:
    """Require somebody on the scheme on ``as_of``.

    Parameters
    ----------
    status : DataFrame
        Counts by status with an ``n`` column.
    as_of : date-like
    """
    n = pd.to_numeric(status["n"], errors="coerce").fillna(0).sum() if "n" in status else 0
    require(n > 0, f"Nobody was on the scheme on {_d(as_of)}, so there is no open cohort to "
                   "show.")
    return status


def flows_in_period(flows: pd.DataFrame, since, as_of) -> pd.DataFrame:
    """Require an adoption or a removal in the period.

    Parameters
    ----------
    flows : DataFrame
        :func:`iomlib.measures.cohort.flows` (an ``n`` column).
    since, as_of : date-like
    """
    n = pd.to_numeric(flows["n"], errors="coerce").fillna(0).sum() if "n" in flows else 0
    require(n > 0, f"No episode was adopted or removed between {_d(since)} and {_d(as_of)}, so "
                   "there are no adoptions or removals to chart.")
    return flows


def removals_counted(n: int, since, as_of) -> None:
    """Require at least one removal in the period (removal reasons).

    Parameters
    ----------
    n : int
        Removals in the period.
    since, as_of : date-like
    """
    require(n > 0, f"No episode was removed between {_d(since)} and {_d(as_of)} (no removals "
                   "yet), so there are no removal reasons to show.")


def impact_possible(panel, follow_up: int = 12) -> None:
    """Stop the impact notebook when the risk sets cannot support any estimate.

    The estimators compare people eligible on the selection matrix at a month end who were
    adopted with those who were not, followed for ``follow_up`` months at liberty; without both
    groups there is nothing to compare.

    Parameters
    ----------
    panel : iomlib.impact.panel.Panel
        :func:`iomlib.impact.preparation.prepare`.
    follow_up : int
        Months of follow-up (the main estimate's).
    """
    from iomlib.errors import IomError
    from iomlib.impact.preparation import risk_set_data
    try:
        risk_set_data(panel, follow_up)
    except IomError as exc:
        _cannot_estimate(exc, follow_up)


def _cannot_estimate(exc, follow_up: int = 12) -> None:
    """Stop the impact notebook, saying in words why no estimate can be made."""
    reason = str(exc).removeprefix("impact: ")
    stop("The effect of being managed cannot be estimated on these data: it needs people "
         "eligible on the selection matrix with a complete "
         f"{follow_up}-month follow-up, some adopted and some not ({reason}).")


@contextmanager
def impact_estimable(follow_up: int = 12):
    """Run the main impact estimate; if its risk sets (on the decision dates) hold no adopted or
    no comparison person, stop the notebook with the reason in words instead of a traceback.

    Parameters
    ----------
    follow_up : int
        Months of follow-up (the main estimate's).
    """
    from iomlib.errors import IomError
    try:
        yield
    except IomError as exc:
        if "need both adopted and not-adopted" not in str(exc):
            raise
        _cannot_estimate(exc, follow_up)
