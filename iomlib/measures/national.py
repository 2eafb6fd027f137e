"""Comparing forces fairly: per-force measures with intervals and funnel-plot control limits.

A funnel plot puts each force's measure against its number of episodes, with control limits
around the national value that narrow as n grows (Spiegelhalter 2005, *Statistics in Medicine*
24(8):1185-1202). Forces inside the limits differ from the national value by no more than chance
would explain; a rank order (league table) is deliberately not produced.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from iomlib.config.settings import Config, default_config
from iomlib.measures.reduction import month12_episodes
from iomlib.measures.stats import t_interval

LEVELS = (0.95, 0.998)


def force_of(dataset) -> pd.Series:
    """person_id -> force (``"(single force)"`` where the data have no force column).

    Parameters
    ----------
    dataset : Dataset
        The data.

    Returns
    -------
    Series
        Indexed by person_id.
    """
    people = dataset.people
    if "force" not in people.columns or people["force"].isna().all():
        return pd.Series("(single force)", index=people["person_id"].to_numpy())
    return people.set_index("person_id")["force"].fillna("(unknown)")


def force_month12(dataset, config: Config | None = None, *, as_of=None) -> pd.DataFrame:
    """Per force: mean % risk reduction after 12 months (headline definition), n and 95% CI.

    Also returns the national row (``force == "England and Wales"``) over all episodes.

    Parameters
    ----------
    dataset : Dataset
        The data.
    config : Config, optional
        Risk settings; the packaged default if omitted.
    as_of : date, optional
        Default ``config.as_of``.

    Returns
    -------
    DataFrame
        force, n, value, sd, ci_low, ci_high (t interval), definition.
    """
    cfg = config or default_config()
    t = pd.Timestamp(as_of) if as_of is not None else cfg.as_of
    ep = month12_episodes(dataset, t, cfg, months=cfg.month12_months)
    ep = ep[ep["reached"] & (ep["risk_at_adoption"] > 0)].copy()
    ep["force"] = ep["person_id"].map(force_of(dataset)).to_numpy()
    rows = []
    for force, g in ep.groupby("force", sort=True):
        lo, hi = t_interval(g["reduction_pct"])
        rows.append({"force": force, "n": len(g), "value": g["reduction_pct"].mean(),
                     "sd": g["reduction_pct"].std(ddof=1), "ci_low": lo, "ci_high": hi})
    lo, hi = t_interval(ep["reduction_pct"])
    rows.append({"force": "England and Wales", "n": len(ep), "value": ep["reduction_pct"].mean(),
                 "sd": ep["reduction_pct"].std(ddof=1), "ci_low": lo, "ci_high": hi})
    out = pd.DataFrame(rows)
    out["definition"] = ("mean of per-episode % reductions in risk, adoption to 12 months, "
                         f"episodes on the scheme at 12 months, as of {t.date()}")
    return out


def funnel_limits(centre: float, sd: float, n_max: int, *, levels=LEVELS,
                  n_min: int = 2, points: int = 200) -> pd.DataFrame:
    """Control limits ``centre ± z * sd / sqrt(n)`` for a mean, tidy: n, level, lower, upper.

    Parameters
    ----------
    centre : float
        The national value.
    sd : float
        Standard deviation between episodes.
    n_max : int
        Largest n drawn.
    levels : sequence of float
        Coverage of each pair of limits.
    n_min : int
        Smallest n drawn.
    points : int
        Number of n values (log-spaced).
    """
    if not np.isfinite(sd) or sd < 0:
        raise ValueError(f"sd={sd!r}: expected a non-negative number")
    n = np.unique(np.round(np.geomspace(n_min, max(n_min + 1, n_max), points)).astype(int))
    rows = []
    for level in levels:
        z = stats.norm.ppf(0.5 + level / 2)
        half = z * sd / np.sqrt(n)
        rows.append(pd.DataFrame({"n": n, "level": level, "lower": centre - half,
                                  "upper": centre + half}))
    return pd.concat(rows, ignore_index=True)


def classify(forces: pd.DataFrame, centre: float, sd: float, *, levels=LEVELS) -> pd.DataFrame:
    """Where each force falls: ``within 95%``, ``between 95% and 99.8%`` or ``outside 99.8%``
    (above or below), from its n and value against the national limits.

    Parameters
    ----------
    forces : DataFrame
        From :func:`force_month12` (columns n and value).
    centre, sd : float
        The national value and standard deviation.
    levels : (float, float)
        The inner and outer coverage.

    Returns
    -------
    DataFrame
        ``forces`` plus z and funnel.
    """
    out = forces.copy()
    lo_z, hi_z = (stats.norm.ppf(0.5 + lv / 2) for lv in levels)
    z = (out["value"] - centre) / (sd / np.sqrt(out["n"]))
    band = np.where(z.abs() <= lo_z, f"within {levels[0]:.0%}",
                    np.where(z.abs() <= hi_z, f"between {levels[0]:.0%} and {levels[1]:.1%}",
                             f"outside {levels[1]:.1%}"))
    side = np.where(z > 0, " (higher)", np.where(z < 0, " (lower)", ""))
    out["z"] = z
    out["funnel"] = [b + (s if not b.startswith("within") else "") for b, s in zip(band, side)]
    return out
