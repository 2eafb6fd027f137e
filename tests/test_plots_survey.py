"""Tests for iomlib.plots.survey: diverging Likert bars, centred on the neutral level."""
from __future__ import annotations

import pandas as pd
import pytest
from plotting_support import bars, forbid_show, widths_by_row  # noqa: F401

from iomlib.plots import survey
from iomlib.plots.theme import SUPPRESSED_LABEL


@pytest.fixture
def likert():
    rows = []
    for item, counts in (("a", [1, 1, 2, 3, 3]), ("b", [0, 2, 0, 4, 4])):
        for level, n in enumerate(counts, 1):
            rows.append({"item": item, "text": f"item {item}", "level": level,
                         "label": f"L{level}", "n": n})
    return pd.DataFrame(rows)


def test_likert_diverging_is_centred_on_neutral(likert):
    ax = survey.likert_diverging(likert)
    drawn = bars(ax)
    assert len(drawn) == 10
    # bars are drawn level by level, one per item: drawn[4:6] are the neutral level, which
    # straddles zero symmetrically
    for b in drawn[4:6]:
        assert b.get_x() + b.get_width() / 2 == pytest.approx(0)
    # widths per item sum to 100%
    assert all(v == pytest.approx(100) for v in widths_by_row(ax).values())
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == ["item a\n(n = 10)", "item b\n(n = 10)"]
    # left edges: item a 10 + 10 + 20/2 = -30; item b 0 + 20 + 0/2 = -20
    assert [b.get_x() for b in drawn[0:2]] == [pytest.approx(-30), pytest.approx(-20)]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [f"L{i}" for i in range(1, 6)]


def test_likert_with_four_levels_has_no_neutral(likert):
    ax = survey.likert_diverging(likert[likert["level"] != 3], label=None, item_label=None)
    drawn = bars(ax)
    assert len(drawn) == 8
    # item a: 1, 1 | 3, 3 of 8: the agree half starts at zero
    assert drawn[4].get_x() == pytest.approx(0)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a\n(n = 8)", "b\n(n = 10)"]


def test_likert_rejects_bad_input(likert):
    with pytest.raises(ValueError, match="n='count'"):
        survey.likert_diverging(likert, n="count")
    with pytest.raises(ValueError, match="n='n'"):
        survey.likert_diverging(likert.assign(n=-1))
    with pytest.raises(ValueError, match="level='level'"):
        survey.likert_diverging(likert[likert["level"] == 1])


def test_likert_item_with_suppressed_count_is_not_drawn(likert):
    t = likert.assign(n=likert["n"].astype("Int64"), n_item=10)
    t.loc[(t["item"] == "b") & t["level"].isin([2, 4]), "n"] = pd.NA
    ax = survey.likert_diverging(t, total="n_item")
    assert sorted(widths_by_row(ax).values()) == [pytest.approx(0), pytest.approx(100)]
    assert [x.get_text() for x in ax.get_yticklabels()] == ["item a\n(n = 10)",
                                                           "item b\n(n = 10)"]
    assert any(x.get_text().startswith(SUPPRESSED_LABEL) for x in ax.texts)
    ax = survey.likert_diverging(t)
    assert [x.get_text() for x in ax.get_yticklabels()][1] == "item b\n(n = [c])"
