"""Impact: the honest estimates beside the naive figures (issue 4).

The quantity of interest (the *estimand*, :data:`ESTIMAND`) is **the proportional reduction in
the offending rate per day at liberty while managed, over the first 12 months after adoption,
among the people adopted**: ``1 - rate(managed) / rate(same people, same days, not managed)``.
The synthetic force plants exactly this (``SynthParams.true_effect``, constant); the second world
of the coverage study (``benchmarks/world_b.py``) lets it vary and fade and computes its truth
from both potential outcomes.

People are adopted at a peak of their offending, by a ranking on the selection matrix with a
fixed team capacity, so the naive before/after falls are mostly regression to the mean and
custody. Five estimators sit beside the naive figure; each is an object whose ``fit(dataset,
...)`` returns ``self``, puts results in attributes ending ``_`` and offers a tidy ``summary``
(``key, measure, estimate, ci_low, ci_high, n, n_treated, n_control, scale, method``; ``key``
is a stable id to select rows by, :func:`summary_rows`):

:class:`EligibleBenchmark` (``benchmark``)
    The selection matrix applied to everyone at every month end; people eligible but never
    adopted get a pseudo-entry date (first month end eligible) and the *identical* naive
    metrics; naive minus benchmark with a bootstrap interval over people.
:class:`EventStudy` (``event_study``)
    Callaway & Sant'Anna group-time ATTs on monthly offences, harm and days at liberty
    (:mod:`iomlib.impact.cs`), cohorts = first managed month, not-yet-treated and never-treated
    eligible people as controls, anticipation 12 months (the selection window), aggregated by
    event time; :func:`plot_event_study` draws them (:mod:`iomlib.plots.impact`).
:class:`CountModels` (``count_models``)
    Poisson, negative binomial (alpha estimated) and GEE on monthly *risk sets* (everyone the
    panel could have adopted at a month end, :func:`iomlib.impact.panel.risk_sets`): 12-month
    offence counts, days at liberty as exposure, person-clustered errors, pre-entry history as
    covariates; intention-to-treat rate ratios of adoption.
:class:`StructuralRate` (``gestimation``, the **main estimate**)
    Risk sets on the panel's real decision dates (:mod:`iomlib.impact.decisions`: one emulated
    trial per date, every covariate from the days strictly before it, follow-up from the day
    after) and the same Poisson model, solved for the managed-rate effect by g-estimation:
    the effect ``e`` is the value at which, once every offence committed while managed is
    counted ``1 / (1 - e)`` times (the offending that management prevented), adopted people
    and not-adopted people with the same history have the same follow-up offending rate.
    One effect per quarter of the first year on the scheme, combined over the adopted people's
    managed days (:mod:`iomlib.impact.banded`), with a person-level jackknife interval (with
    ``n_bands=1``: one effect, interval by test inversion). Chosen by the coverage study
    (``docs/impact_coverage.md``): small bias and near-nominal coverage at planted effects
    0, 0.2 and 0.4, where every other design fails.
:class:`JusticeDataLab` (``jdl``)
    The MoJ Justice Data Lab standard: adopted nominals against a propensity-matched
    comparison group of eligible never-adopted people; one-year reoffending rate, frequency per
    100, time to first reoffence (Kaplan-Meier, Cox); attrition and balance tables; JDL wording.

:func:`impact_headline` gives the main estimate for ``metrics.json`` with its sensitivity to
unrecorded selection (E-value, VanderWeele & Ding 2017) and its placebo (pseudo-adoption 12
months earlier), :mod:`iomlib.impact.sensitivity`; ``iom impact`` prints it.

Modules: ``panel`` (person-by-month arrays) -> ``preparation`` (the cached panel, risk sets) ->
one module per estimator, each built on ``base`` (summary rows) and the statistics of
``models`` and ``cs`` -> ``summary`` (all estimates, the headline, the text of ``iom impact``).
The plots live in :mod:`iomlib.plots.impact` and the command line in :mod:`iomlib.cli`; both
are reachable here under their old names.
"""
import importlib

from iomlib._lazy import lazy_exports

_getattr, _dir, _all = lazy_exports(__name__, {
    "base": "ESTIMAND SUMMARY_COLUMNS Estimator summary_row summary_rows",
    "preparation": "prepare window_sum risk_set_data",
    "benchmark": "EligibleBenchmark",
    "event_study": "EventStudy",
    "count_models": "CountModels MODEL_KEYS",
    "gestimation": "MAIN_METHOD StructuralRate arm_counts",
    "decisions": "day_data decision_dates decision_risk_sets decision_design",
    "sensitivity": "e_value bounding_factor selection_bounds placebo robustness_text",
    "presence": ("recording_delays recorded_departures days_since_seen presence_probability "
                 "presence_exposure"),
    "jdl": "JDL_INCONCLUSIVE JDL_SIGNIFICANT jdl_wording proportion_difference JusticeDataLab",
    "summary": "ImpactResults impact_table impact_headline headline_of run_impact departure_text",
})

# names that moved out of the package: (module, name there)
_ELSEWHERE = {
    "plot_event_study": ("iomlib.plots.impact", "plot_event_study"),
    "plot_survival": ("iomlib.plots.impact", "plot_survival"),
    "add_impact_arguments": ("iomlib.cli", "add_impact_arguments"),
    "main_impact": ("iomlib.cli", "cmd_impact"),
}


def __getattr__(name: str):
    if name in _ELSEWHERE:
        module, attr = _ELSEWHERE[name]
        return getattr(importlib.import_module(module), attr)
    return _getattr(name)


def __dir__():
    return sorted(set(_dir()) | set(_ELSEWHERE))


__all__ = sorted(set(_all) | set(_ELSEWHERE))
