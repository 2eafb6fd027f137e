"""Tests of iomlib.report.index: the front page."""
from __future__ import annotations

from iomlib.report import index


def test_index_shows_a_suppressed_headline_as_c():
    from iomlib.sdc.audit import suppress_headline
    metrics = suppress_headline({"felt_safer_pct": {"value": 80.0, "n": 5}}, 10)
    assert index._fmt_value("felt_safer_pct", metrics["felt_safer_pct"], 10) == \
        "[c] (fewer than 10 people)"
    assert index._fmt_value("felt_safer_pct", {"value": 86.2069, "n": 58}, 10) == "86.2%"


def test_interval_text_says_an_open_ended_interval_in_words():
    assert index.interval_text(-0.0509, 0.2999) == "-5.1% to 30.0%"
    assert index.interval_text(-0.0509, None) == "above -5.1% (no upper bound)"
    assert index.interval_text(None, 0.3) == "below 30.0% (no lower bound)"
    assert index.interval_text(float("nan"), float("inf")) == "no bound found"


def _impact(**changes):
    imp = {"value": 0.128, "n": 1096, "ci_low": -0.051, "ci_high": 0.300, "n_treated": 537,
           "n_control": 1037, "n_people": 1096, "n_people_both": 478,
           "definition": "reduction", "method": "g-estimation"}
    return imp | changes


def test_index_impact_row_with_an_unbounded_interval_does_not_crash():
    rows = "".join(index._headline_rows(
        {"impact_managed_rate_reduction": _impact(ci_high=None)}, 10))
    assert "above -5.1% (no upper bound)" in rows


def test_index_impact_row_counts_distinct_people_and_both_arms():
    rows = "".join(index._headline_rows({"impact_managed_rate_reduction": _impact()}, 10))
    assert "1,096 people: 537 managed, 1,037 comparison (478 in both" in rows


def _ctx(names, audience="restricted"):
    from pathlib import Path

    from iomlib.config.settings import default_config
    from iomlib.report.notebooks import Notebook
    return {"notebooks": [Notebook(Path(f"{n}.ipynb"), None) for n in names],
            "parameters": {"cohort": "all", "audience": audience, "min_cell": 10},
            "config": default_config()}


def test_impact_is_estimated_only_when_the_impact_report_is_in_the_run(monkeypatch):
    import iomlib.impact
    from iomlib.data.open import open_dataset
    calls = []

    def fake(ds, cfg):
        calls.append(1)
        return {"estimate": 0.1, "ci_low": 0.0, "ci_high": 0.2, "n_treated": 3, "n_control": 4,
                "n_people": 6, "estimand": "reduction"}

    monkeypatch.setattr(iomlib.impact, "impact_headline", fake)
    ds = open_dataset()
    without = index.headline_metrics(ds, _ctx(["08_national"]))
    assert calls == []                      # not estimated: 07 is not part of the run
    imp = without["impact_managed_rate_reduction"]
    assert imp["value"] is None and imp["not_in_run"] and "07_impact" in imp["error"]
    with_07 = index.headline_metrics(ds, _ctx(["07_impact", "08_national"]))
    assert calls == [1] and with_07["impact_managed_rate_reduction"]["value"] == 0.1
    assert index.impact_in_run({"parameters": {}})             # no list: every notebook


def test_headline_figures_are_computed_only_for_a_run_with_a_notebook_publishing_them():
    from iomlib.data.open import open_dataset
    from iomlib.measures.headline import HEADLINE_KEYS, headline_json, headline_table
    ds = open_dataset()
    national = index.headline_metrics(ds, _ctx(["08_national"]))
    assert national["as_of"] == "2020-01-31"
    for key in HEADLINE_KEYS:
        e = national[key]
        assert e["value"] is None and e["not_in_run"] and "01, 02, 04" in e["definition"]
        assert index._fmt_value(key, e, 10) == "not part of this run"
    rows = "".join(index._headline_rows(national, 10))
    assert rows.count("not part of this run") >= len(HEADLINE_KEYS)
    cohort = index.headline_metrics(ds, _ctx(["01_cohort", "08_national"]))
    cohort.pop("impact_managed_rate_reduction")
    assert cohort == headline_json(headline_table(ds))
    assert index.headlines_in_run({"parameters": {}})


def test_index_says_in_words_when_the_impact_estimate_is_not_part_of_the_run():
    missing = {"value": None, "n": None, "not_in_run": True, "error": index.IMPACT_NOT_IN_RUN}
    rows = "".join(index._headline_rows({"impact_managed_rate_reduction": missing}, 10))
    assert "data-measure='impact_managed_rate_reduction'" in rows
    assert "Not part of this run" in rows and "07_impact" in rows
    failed = {"value": None, "n": 0, "error": "no follow-up before the as-of date"}
    rows = "".join(index._headline_rows({"impact_managed_rate_reduction": failed}, 10))
    assert "Not estimated: no follow-up before the as-of date." in rows
    hidden = {"value": None, "n": None, "suppressed": True, "error": "x"}
    assert index._headline_rows({"impact_managed_rate_reduction": hidden}, 10) == []
