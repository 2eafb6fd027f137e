"""The selection matrix: points for recent offending, effective-dated versions, a threshold.

``points(i, t) = sum over offences o of i with t - W < date(o) <= t of
points[category(o)] + weapon_points * weapon(o)``, with ``W = matrix.window_days`` and the
version in force on ``t`` (configuration ``matrix.versions``). A person crosses the threshold
when ``points >= threshold``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from iomlib.config.settings import Config, MatrixVersion, default_config
from iomlib.risk.engine import window_sums


def _offence_points(offences: pd.DataFrame, version: MatrixVersion) -> np.ndarray:
    pts = offences["offence_category"].map(version.points).fillna(0.0).to_numpy(float)
    return pts + version.weapon_points * offences["weapon"].astype(bool).to_numpy()


def matrix_points(offences: pd.DataFrame, pairs: pd.DataFrame, config: Config | None = None, *,
                  date_col: str = "date", version: str | None = None) -> pd.DataFrame:
    """Matrix points for (person_id, date) pairs under the version in force on each date.

    Parameters
    ----------
    offences : DataFrame
        person_id, offence_date, offence_category, weapon.
    pairs : DataFrame
        person_id and ``date_col``.
    version : str, optional
        Force one version (by name) for every date instead of the one in force.

    Returns
    -------
    DataFrame
        ``pairs`` plus ``points``, ``threshold``, ``version`` and ``crosses`` (bool).
    """
    cfg = config or default_config()
    out = pairs.copy()
    dates = pd.to_datetime(out[date_col])
    if version is not None:
        names = [v.name for v in cfg.matrix_versions]
        if version not in names:
            raise ValueError(f"version={version!r}: not a matrix version; valid: {names}")
        chosen = pd.Series(version, index=out.index)
    else:
        chosen = dates.map(lambda d: cfg.matrix_version_on(d).name)
    points = np.zeros(len(out))
    thresholds = np.zeros(len(out))
    for v in cfg.matrix_versions:
        mask = (chosen == v.name).to_numpy()
        if not mask.any():
            continue
        points[mask] = window_sums(offences, _offence_points(offences, v), out.loc[mask],
                                   window_days=cfg.matrix_window_days, date_col=date_col)
        thresholds[mask] = v.threshold
    out["points"] = np.round(points, 9)
    out["threshold"] = thresholds
    out["version"] = chosen.to_numpy()
    out["crosses"] = out["points"] >= out["threshold"]
    return out


def select_on(dataset, date, config: Config | None = None, *,
              version: str | None = None) -> pd.DataFrame:
    """Score everyone in ``dataset.people`` on ``date``: who crosses the threshold, and under
    which version.

    Parameters
    ----------
    dataset : Dataset
        The data (``people`` and ``offences``).
    date : date
        The selection date.
    config : Config, optional
        Matrix versions; the packaged default if omitted.
    version : str, optional
        Matrix version name; default: the version in force on ``date``.

    Returns
    -------
    DataFrame
        Tidy: person_id, date, points, threshold, version, crosses; sorted by points (highest
        first).
    """
    pairs = pd.DataFrame({"person_id": dataset.people["person_id"].astype(str).to_numpy(),
                          "date": pd.Timestamp(date)})
    out = matrix_points(dataset.offences, pairs, config, version=version)
    return out.sort_values(["points", "person_id"], ascending=[False, True],
                           ignore_index=True)


def compare_versions(dataset, date, config: Config | None = None) -> pd.DataFrame:
    """Who crosses the threshold on ``date`` under each matrix version (one column per version).

    Returns person_id, ``points_<v>`` and ``crosses_<v>`` for every version, for people with any
    points under any version.

    Parameters
    ----------
    dataset : Dataset
        The data.
    date : date
        The selection date.
    config : Config, optional
        Matrix versions; the packaged default if omitted.
    """
    cfg = config or default_config()
    frames = []
    for v in cfg.matrix_versions:
        s = select_on(dataset, date, cfg, version=v.name).set_index("person_id")
        frames.append(s[["points", "crosses"]].add_suffix(f"_{v.name}"))
    out = pd.concat(frames, axis=1)
    pts = out[[c for c in out.columns if c.startswith("points_")]]
    return out[(pts > 0).any(axis=1)].reset_index()
