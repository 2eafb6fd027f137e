"""Dominance rules for sums of magnitudes (iomlib.sdc.magnitudes) and Disclosure.sums."""
from __future__ import annotations

import pandas as pd

from iomlib.sdc import Disclosure
from iomlib.sdc.magnitudes import Dominance


def test_one_large_contributor_makes_a_sum_sensitive():
    rule = Dominance()
    # 30 episodes, one with 1,000 points of harm, the others 2 each: total 1,058
    assert rule.sensitive([1000] + [2] * 29)
    # the same total spread evenly is safe
    assert not rule.sensitive([1058 / 30] * 30)
    # (n, k): the two largest 95% of the total
    assert rule.sensitive([500, 450] + [5] * 10)
    # p%: the rest (8) is under 10% of the largest (100), although the top two are 88%
    assert Dominance(n=2, k=0.95).sensitive([100, 10, 4, 4])
    assert not Dominance(n=2, k=0.95, p=0.01).sensitive([100, 10, 4, 4])
    assert not rule.sensitive([]) and not rule.sensitive([0, 0])
    assert "90%" in rule.describe()


def test_disclosure_sums_hides_a_dominated_sum_and_its_mean():
    micro = pd.DataFrame({"group": ["a"] * 20 + ["b"] * 20,
                          "harm": [900] + [3] * 19 + [20] * 20})
    t = micro.groupby("group", as_index=False).agg(n=("harm", "size"), harm=("harm", "sum"))
    t["mean_harm"] = t["harm"] / t["n"]

    def parts(row):
        return micro.loc[micro["group"] == row["group"], "harm"]

    out = Disclosure("public").sums(t, {"harm": parts}, derived={"mean_harm": "harm"})
    assert out["harm"].isna().tolist() == [True, False]
    assert out["mean_harm"].isna().tolist() == [True, False]
    assert out["harm_suppressed"].tolist() == [True, False]
    checked = Disclosure("public").table(out, count_cols="n", totals="none")
    shown = Disclosure("public").for_display(checked)
    assert shown["harm"].tolist()[0] == "[c]"
    # restricted: nothing hidden
    assert not Disclosure("restricted").sums(t, {"harm": parts})["harm"].isna().any()
