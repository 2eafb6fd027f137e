"""The five headline figures of the performance appendix, as one tidy table and as JSON."""
from __future__ import annotations

import math

import pandas as pd

from iomlib.config.settings import Config, default_config
from iomlib.measures.cohort import active_cohort, restrict, unique_nominals
from iomlib.measures.reduction import month12_reduction, removed_reduction
from iomlib.measures.survey import felt_safer

HEADLINE_KEYS = ("unique_nominals", "active_cohort", "removed_mean_reduction_pct",
                 "month12_mean_reduction_pct", "idva_felt_safer_pct")


COUNT_KEYS = ("unique_nominals", "active_cohort")


def headline_table(dataset, *, as_of=None, since=None, config: Config | None = None,
                   cohorts=None) -> pd.DataFrame:
    """Every headline measure under its headline definition and the alternatives beside it.

    Parameters
    ----------
    dataset : Dataset
        The data.
    as_of : date, optional
        Default ``config.as_of``.
    since : date, optional
        Start of the period; default ``config.period_start``.
    config : Config, optional
        Risk settings; the packaged default if omitted.
    cohorts : str, list of str or None
        Restrict to these cohorts first (:func:`iomlib.measures.cohort.restrict`; ``"all"``
        = every cohort).

    Returns
    -------
    DataFrame
        ``as_of`` then the measure columns (:data:`iomlib.measures.rows.MEASURE_COLUMNS`).
    """
    cfg = config or default_config()
    if cohorts is not None:
        dataset = restrict(dataset, cohorts)
    t = pd.Timestamp(as_of) if as_of is not None else cfg.as_of
    s = pd.Timestamp(since) if since is not None else cfg.period_start
    parts = [
        unique_nominals(dataset, s, t),
        active_cohort(dataset, t),
        removed_reduction(dataset, s, t, cfg),
        month12_with_since(dataset, s, t, cfg),
        felt_safer(dataset, t),
    ]
    out = pd.DataFrame([r for part in parts for r in part.to_dict("records")])
    out.insert(0, "as_of", t.date().isoformat())
    return out


def month12_with_since(dataset, since, as_of, config: Config) -> pd.DataFrame:
    """The month-12 reduction, named for the episodes it covers, with the period's own beside it.

    The headline counts every episode that reached 12 months on the scheme by the as-of date,
    **including episodes adopted before the period start** (a scheme's whole caseload); its
    definition says so. Beside it (an alternative, not the headline): the same measure over the
    episodes adopted on or after ``since`` only (the period's own adoptions).

    Parameters
    ----------
    dataset : Dataset
        The data.
    since, as_of : Timestamp
        Period start and as-of date.
    config : Config
        Risk settings.

    Returns
    -------
    DataFrame
        The rows of :func:`iomlib.measures.reduction.month12_reduction`, definitions naming the
        episodes covered, then the rows of the period's own adoptions (``headline`` False).
    """
    months = config.month12_months
    rows = month12_reduction(dataset, as_of, config, months=months).copy()
    rows["definition"] = (rows["definition"].astype(str) + f"; including episodes adopted before "
                          f"the period start {since.date()}")
    own = dataset.copy()
    own.episodes = dataset.episodes[dataset.episodes["adopted_on"] >= since]
    if len(own.episodes) == 0:
        return rows
    period = month12_reduction(own, as_of, config, months=months).copy()
    period = period[period["headline"]].assign(headline=False)
    period["definition"] = (f"episodes adopted on or after the period start {since.date()} only: "
                            + period["definition"].astype(str))
    return pd.concat([rows, period], ignore_index=True)


def _clean(v):
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return v
    if math.isnan(f):
        return None
    return int(f) if f.is_integer() and abs(f) < 2 ** 53 and not isinstance(v, float) else f


def _count(v):
    v = _clean(v)
    return int(v) if isinstance(v, float) and v.is_integer() else v


def headline_json(table: pd.DataFrame) -> dict:
    """``{key: {value, n, numerator, denominator, ci_low, ci_high, definition, alternatives}}``.

    Parameters
    ----------
    table : DataFrame
        From :func:`headline_table`.

    Returns
    -------
    dict
        One entry per :data:`HEADLINE_KEYS`, plus ``as_of``.
    """
    out = {}
    for key in HEADLINE_KEYS:
        rows = table[table["measure"] == key]
        head = rows[rows["headline"]].iloc[0]
        entry = {c: _clean(head[c]) for c in ("value", "n", "numerator", "denominator", "ci_low",
                                              "ci_high", "ci_method", "definition", "excluded",
                                              "excluded_reason")}
        for c in ("n", "numerator", "denominator", "excluded"):
            entry[c] = _count(entry[c])
        if key in COUNT_KEYS:
            entry["value"] = int(entry["value"])
        elif isinstance(entry["value"], float):
            entry["value"] = round(entry["value"], 4)
        entry["alternatives"] = [
            {c: _clean(r[c]) for c in ("value", "n", "ci_low", "ci_high", "definition")}
            for _, r in rows[~rows["headline"]].iterrows()]
        out[key] = entry
    out["as_of"] = str(table["as_of"].iloc[0])
    return out
