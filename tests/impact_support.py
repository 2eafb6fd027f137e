"""Shared inputs of the impact tests: a small synthetic force with a planted effect, its panel
and the estimators fitted on it, built once per test process (the tests only read them)."""
from __future__ import annotations

import functools
from dataclasses import replace


@functools.cache
def small_force():
    """2,000 people, planted effect 20%."""
    from iomlib.data.synth import SynthParams, simulate
    return simulate(replace(SynthParams(), seed=5, n_people=2000, true_effect=0.2))


@functools.cache
def small_panel():
    """The panel of :func:`small_force` (default configuration and as-of date)."""
    from iomlib.impact.preparation import prepare
    return prepare(small_force())


@functools.cache
def fitted() -> dict:
    """Every estimator fitted on :func:`small_force` (small bootstraps, no GEE)."""
    from iomlib import impact
    ds, P = small_force(), small_panel()
    return {
        "benchmark": impact.EligibleBenchmark(reps=99).fit(ds, panel=P),
        "event_study": impact.EventStudy(uniform_reps=99).fit(ds, panel=P),
        "counts": impact.CountModels(gee=False).fit(ds, panel=P),
        "main": impact.StructuralRate().fit(ds, panel=P),
        "jdl": impact.JusticeDataLab().fit(ds, panel=P),
    }
