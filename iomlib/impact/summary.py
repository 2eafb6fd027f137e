"""All the estimators on one dataset: the combined table, the headline, ``iom impact``'s text."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from iomlib.config.settings import Config, default_config
from iomlib.errors import IomError
from iomlib.impact.base import ESTIMAND
from iomlib.impact.gestimation import StructuralRate
from iomlib.impact.preparation import prepare
from iomlib.impact.sensitivity import robustness_text

if TYPE_CHECKING:  # the other estimators are imported when fitted (iom impact needs only one)
    from iomlib.impact.benchmark import EligibleBenchmark
    from iomlib.impact.count_models import CountModels
    from iomlib.impact.event_study import EventStudy
    from iomlib.impact.jdl import JusticeDataLab


@dataclass
class ImpactResults:
    """Every estimator fitted on one dataset (see :func:`impact_table`)."""

    benchmark: EligibleBenchmark
    event_study: EventStudy
    counts: CountModels
    main: StructuralRate
    jdl: JusticeDataLab

    def table(self) -> pd.DataFrame:
        """All summaries stacked, the main estimate first.

        Returns
        -------
        DataFrame
            ``SUMMARY_COLUMNS``; the ``key`` of each row is unique.
        """
        parts = [self.main, self.benchmark, self.event_study, self.counts, self.jdl]
        return pd.concat([p.summary for p in parts], ignore_index=True)


def impact_table(dataset, config: Config | None = None, *, as_of=None,
                 uniform_reps: int = 999, bootstrap_reps: int = 999) -> ImpactResults:
    """Fit every estimator on ``dataset`` (sharing one panel) and return them.

    Parameters
    ----------
    dataset : Dataset
    config : Config, optional
        The packaged default if omitted.
    as_of : date-like, optional
        Default: ``config.as_of``.
    uniform_reps : int
        Multiplier-bootstrap draws of the event study's simultaneous band.
    bootstrap_reps : int
        Bootstrap replicates of the eligible benchmark.

    Returns
    -------
    ImpactResults
    """
    from iomlib.impact.benchmark import EligibleBenchmark
    from iomlib.impact.count_models import CountModels
    from iomlib.impact.event_study import EventStudy
    from iomlib.impact.jdl import JusticeDataLab
    cfg = config or default_config()
    P = prepare(dataset, cfg, as_of)
    kw = {"panel": P}
    return ImpactResults(
        benchmark=EligibleBenchmark(reps=bootstrap_reps).fit(dataset, cfg, **kw),
        event_study=EventStudy(uniform_reps=uniform_reps).fit(dataset, cfg, **kw),
        counts=CountModels().fit(dataset, cfg, **kw),
        main=StructuralRate().fit(dataset, cfg, **kw),
        jdl=JusticeDataLab().fit(dataset, cfg, **kw))


def impact_headline(dataset, config: Config | None = None, *, as_of=None) -> dict:
    """The main estimate of the effect of being managed, for ``metrics.json``.

    Parameters
    ----------
    dataset : Dataset
    config : Config, optional
        The packaged default if omitted.
    as_of : date-like, optional
        Default: ``config.as_of``.

    Returns
    -------
    dict
        ``estimate``, ``ci_low``, ``ci_high`` (proportional reduction in the offending rate per
        day at liberty while managed), ``method``, ``n_treated``, ``n_control``,
        ``converged`` and ``note`` (False and what did not converge when a fit of the
        g-estimation did not converge), the distinct people and person-periods per arm
        (:func:`~iomlib.impact.gestimation.arm_counts`), plus ``estimand``, ``as_of``,
        ``sensitivity`` (:func:`~iomlib.impact.sensitivity.selection_bounds`), ``placebo``
        (:func:`~iomlib.impact.sensitivity.placebo`) and ``robustness`` (both in words).
    """
    cfg = config or default_config()
    return headline_of(StructuralRate().fit(dataset, cfg, as_of=as_of))


def headline_of(main: StructuralRate, *, sensitivity: dict | None = None,
                placebo: dict | None = None) -> dict:
    """:func:`impact_headline` of an estimate already fitted (notebook 07 hands it to the
    runner this way instead of the runner fitting it again).

    Parameters
    ----------
    main : StructuralRate
        Fitted on decision dates.
    sensitivity, placebo : dict, optional
        ``main.sensitivity()`` and ``main.placebo()`` when already computed.

    Returns
    -------
    dict
        As :func:`impact_headline`.
    """
    out = main.headline()
    out["estimand"] = ESTIMAND
    out["as_of"] = main.as_of_.date().isoformat()
    out["sensitivity"] = sensitivity if sensitivity is not None else main.sensitivity()
    if placebo is None:
        try:
            placebo = main.placebo()
        except (IomError, np.linalg.LinAlgError, ValueError) as exc:
            placebo = {"estimate": None, "error": str(exc)}
    out["placebo"] = placebo
    out["robustness"] = robustness_text(out["sensitivity"], out["placebo"])
    return out


def departure_text(h: dict, withheld: bool = False) -> str:
    """The known-presence correction in words, from a :meth:`StructuralRate.headline`.

    Parameters
    ----------
    h : dict
        The headline (``departure_rate_per_year``, ``departure_rate_source``,
        ``expected_gone_comparison``).
    withheld : bool
        Say that the rate is withheld (a public report whose recorded moves and deaths are
        fewer than the publication threshold) instead of giving it.

    Returns
    -------
    str
    """
    if withheld or h.get("n_departures_suppressed"):
        return ("comparison people's follow-up is corrected for leaving the area unrecorded, at "
                "the rate of moves and deaths recorded among managed people (withheld: it rests "
                "on too few recorded moves and deaths to publish)")
    rate = h.get("departure_rate_per_year") or 0.0
    if rate <= 0:
        return ("no moves or deaths are recorded among managed people, so no correction was made "
                "for comparison people who may have left the area unrecorded")
    where = ("the rate recorded among managed people (removals for a move or a death, per year "
             "on the scheme in which a move could already have been recorded)"
             if h.get("departure_rate_source") == "recorded" else "a rate set by the analyst")
    gone = round(h.get("expected_gone_comparison") or 0.0)
    expected = ("fewer than one comparison record is" if gone == 0 else
                "about one comparison record is" if gone == 1 else
                f"about {gone:,} comparison records are")
    return (f"comparison people's follow-up is corrected for leaving the area unrecorded at "
            f"{rate:.1%} a year, {where}; {expected} expected to be of people who had already "
            "left")


def run_impact(dataset, config: Config | None = None, *, as_json: bool = False) -> str:
    """The text ``iom impact`` prints: the main estimate, as JSON or as a few lines.

    Parameters
    ----------
    dataset : Dataset
    config : Config, optional
        The packaged default if omitted (its as-of date is used).
    as_json : bool
        JSON of :meth:`~iomlib.impact.gestimation.StructuralRate.headline` instead of text.

    Returns
    -------
    str
    """
    m = StructuralRate().fit(dataset, config or default_config())
    h = m.headline()
    if as_json:
        return json.dumps(h, indent=2)

    def pct(x):
        return "unbounded" if x is None else f"{x:.1%}"
    return "\n".join([
        f"Effect of being managed on the offending rate (as of {m.as_of_.date()}):",
        f"  {pct(h['estimate'])} reduction (95% CI {pct(h['ci_low'])} to {pct(h['ci_high'])})",
        f"  {h['n_treated']} people adopted, {h['n_control']} eligible comparison people "
        f"({h['n_people_both']} in both: compared first, adopted later; {h['n_people']} "
        "distinct people)",
        f"  method: {h['method']}",
        f"  people who may have left unrecorded: {departure_text(h)}"]
        + ([] if h["converged"] else [f"  WARNING: {h['note']}"]))
