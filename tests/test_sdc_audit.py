"""Tests of iomlib.sdc.audit: headline figures for a public audience, notebook audits."""
from __future__ import annotations

from iomlib.sdc.audit import audit_notebook, suppress_headline
from iomlib.sdc.policy import WITHHELD_MARKER


def test_headline_metrics_for_a_public_audience():
    metrics = {
        "unique_nominals": {"value": 7, "n": 7, "alternatives": [{"value": 9, "n": 9}]},
        "felt_safer_pct": {"value": 80.0, "n": 20, "numerator": 16, "denominator": 20,
                           "ci_low": 60.0, "ci_high": 91.0, "alternatives": []},
        "removed_reduction_pct": {"value": 70.0, "n": 4, "ci_low": 1.0, "ci_high": 99.0,
                                  "alternatives": [{"value": 50.0, "n": 30}]},
        "impact": {"value": 0.1, "estimate": 0.1, "n": 500, "n_treated": 3, "n_control": 497},
        "as_of": "2020-01-31",
    }
    out = suppress_headline(metrics, 10, count_keys=["unique_nominals"])
    assert out["unique_nominals"]["value"] is None and out["unique_nominals"]["suppressed"]
    assert out["unique_nominals"]["alternatives"][0]["value"] is None
    # 16 of 20 felt safer: the 4 who did not follow (the complement rule)
    assert out["felt_safer_pct"]["value"] is None and out["felt_safer_pct"]["suppressed"]
    r = out["removed_reduction_pct"]
    assert r["value"] is None and r["ci_low"] is None and r["n"] is None and r["suppressed"]
    assert r["alternatives"][0]["value"] == 50.0                       # 30 episodes: shown
    assert out["impact"]["estimate"] is None and out["impact"]["n_treated"] is None
    assert out["impact"]["n_control"] == 497 and out["as_of"] == "2020-01-31"
    assert metrics["removed_reduction_pct"]["value"] == 70.0           # input untouched
    small_numerator = suppress_headline({"k": {"value": 95.0, "n": 40, "numerator": 38,
                                               "denominator": 40}}, 10)
    assert small_numerator["k"]["value"] is None   # 38 of 40: 2 did not
    large_both = suppress_headline({"k": {"value": 75.0, "n": 40, "numerator": 30,
                                          "denominator": 40}}, 10)
    assert large_both["k"]["value"] == 75.0       # 30 and 10: nothing small
    few_unsafe = suppress_headline({"k": {"value": 5.0, "n": 40, "numerator": 2}}, 10)
    assert few_unsafe["k"]["value"] is None


def test_audit_notebook_finds_every_kind_of_problem():
    def out(html, check=None, kind="display_data"):
        o = {"output_type": kind, "data": {"text/html": html, "text/plain": "x"},
             "metadata": {}}
        if check is not None:
            o["metadata"]["text/html"] = {"iom_disclosure": check}
        return o

    good = {"audience": "public", "min_cell": 10, "smallest_count_shown": 12.0,
            "count_columns": ["n"]}
    nb = {"cells": [
        {"cell_type": "markdown", "source": "<table></table> in prose is fine"},
        {"cell_type": "code", "outputs": [out("<table>ok</table>", good)]},
        {"cell_type": "code", "outputs": [out(f"<p class='{WITHHELD_MARKER}'>...</p>")]},
        {"cell_type": "code", "outputs": [out("<table>raw</table>", kind="execute_result")]},
        {"cell_type": "code", "outputs": [out("<table>t</table>",
                                              {**good, "smallest_count_shown": 3.0})]},
        {"cell_type": "code", "outputs": [out("<table>t</table>",
                                              {**good, "audience": "restricted"})]},
        {"cell_type": "code", "outputs": [{"output_type": "stream", "text": "n = 3"}]},
    ]}
    problems = audit_notebook(nb, 10)
    assert len(problems) == 4
    assert problems[0].startswith("cell 3: a table was withheld")
    assert problems[1] == "cell 4: a table without a disclosure check"
    assert problems[2].startswith("cell 5: a table shows a count of 3")
    assert problems[3].startswith("cell 6: a table checked for audience 'restricted'")
    assert audit_notebook({"cells": nb["cells"][:2]}, 10) == []
    assert audit_notebook({"cells": nb["cells"][:2]}, 20)[0].startswith("cell 2:")


def test_headline_rate_with_a_small_complement_is_suppressed_with_its_alternatives():
    """04/headline: 86% of 58 survivors felt safer implies that 8 did not."""
    from iomlib.sdc import suppress_headline
    metrics = {"idva_felt_safer_pct": {
        "value": 86.2, "n": 58, "numerator": 50, "denominator": 58, "ci_low": 75.1,
        "ci_high": 92.8, "alternatives": [
            {"value": 48.5, "n": 103, "numerator": 50, "denominator": 103},
            {"value": 92.2, "n": 103, "numerator": 95, "denominator": 103}]},
        "idva_response_rate_pct": {"value": 56.3, "n": 103, "numerator": 58,
                                   "denominator": 103}}
    out = suppress_headline(metrics, 10)
    e = out["idva_felt_safer_pct"]
    assert e["suppressed"] and e["value"] is None and e["numerator"] is None
    assert all(a["suppressed"] and a["numerator"] is None for a in e["alternatives"])
    assert out["idva_response_rate_pct"]["value"] == 56.3


def test_impact_rate_of_leaving_resting_on_few_recorded_moves_is_withheld_alone():
    imp = {"value": 0.12, "n": 900, "ci_low": -0.05, "ci_high": 0.3, "n_people": 900,
           "departure_rate_per_year": 0.021, "expected_gone_comparison": 3.2,
           "n_departures": 4, "departure_rate_source": "recorded"}
    out = suppress_headline({"impact_managed_rate_reduction": imp}, 10)[
        "impact_managed_rate_reduction"]
    assert out["departure_rate_per_year"] is None and out["n_departures"] is None
    assert out["expected_gone_comparison"] is None and out["n_departures_suppressed"]
    assert out["value"] == 0.12 and not out.get("suppressed")      # the estimate stays
    many = suppress_headline({"i": {**imp, "n_departures": 40}}, 10)["i"]
    assert many["departure_rate_per_year"] == 0.021 and "n_departures_suppressed" not in many
