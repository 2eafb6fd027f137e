"""Tests of the ``iomlib.impact`` package: every name of the old ``iomlib.impact`` module is
still reachable from the package (the estimators' own tests are in ``test_impact_<module>.py``).
"""
from __future__ import annotations

import importlib
import warnings

import pytest

import iomlib.impact as impact

OLD_NAMES = (
    "ESTIMAND SUMMARY_COLUMNS MAIN_METHOD prepare EligibleBenchmark EventStudy "
    "plot_event_study plot_survival CountModels StructuralRate JDL_INCONCLUSIVE "
    "JDL_SIGNIFICANT jdl_wording JusticeDataLab ImpactResults impact_table "
    "impact_headline add_impact_arguments main_impact").split()


@pytest.mark.parametrize("name", OLD_NAMES)
def test_old_names_reachable(name):
    assert getattr(impact, name) is not None
    assert name in impact.__all__ and name in dir(impact)


def test_moved_names_are_the_new_objects():
    from iomlib import cli
    from iomlib.plots import impact as plots
    assert impact.plot_event_study is plots.plot_event_study
    assert impact.plot_survival is plots.plot_survival
    assert impact.add_impact_arguments is cli.add_impact_arguments
    assert impact.main_impact is cli.cmd_impact
    assert callable(impact.prepare)           # the function, not the preparation module


def test_unknown_name():
    with pytest.raises(AttributeError):
        impact.no_such_name  # noqa: B018


def test_old_estimators_module_imports_with_a_warning():
    import sys
    sys.modules.pop("iomlib.impact.estimators", None)   # another test may have imported it
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = importlib.import_module("iomlib.impact.estimators")
    assert old.StructuralRate is impact.StructuralRate
    assert any(issubclass(w.category, DeprecationWarning) for w in caught)
