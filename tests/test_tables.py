"""Tables' notebook HTML: no bare row numbers (iomlib.tables)."""
import re

import pandas as pd
import pytest

from iomlib import tables


def _row_headers(html: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, flags=re.S).group(1)
    return re.findall(r"<tr>\s*<th[^>]*>([^<]*)</th>", body)


def test_default_index_is_left_out():
    df = pd.DataFrame({"measure": ["a", "b", "c"], "n": [10, 20, 30]})
    assert _row_headers(df._repr_html_()) == ["0", "1", "2"]      # what pandas does
    html = tables.frame_html(df)
    assert _row_headers(html) == []
    assert "<td>a</td>" in html and "<td>30</td>" in html
    assert re.findall(r"<th>([^<]*)</th>", html) == ["measure", "n"]


def test_filtered_row_numbers_are_left_out():
    df = pd.DataFrame({"measure": list("abcde"), "n": range(5)})
    part = df[df["n"].isin([0, 1, 4])]
    assert _row_headers(part._repr_html_()) == ["0", "1", "4"]
    assert _row_headers(tables.frame_html(part)) == []
    assert _row_headers(tables.frame_html(df.iloc[[3]])) == []


@pytest.mark.parametrize("index", [pd.Index([2016, 2017, 2018]),
                                   pd.RangeIndex(3, name="row"),
                                   pd.Index([3, 1, 2]),
                                   pd.Index([-1, 0, 1]),
                                   pd.Index([0.0, 1.0, 2.0]),
                                   pd.date_range("2020-01-31", periods=3, freq="ME"),
                                   pd.MultiIndex.from_tuples([(0, 0), (0, 1), (1, 0)]),
                                   pd.Index(["x", "y", "z"])])
def test_an_index_that_means_something_is_kept(index):
    df = pd.DataFrame({"n": [1, 2, 3]}, index=index)
    assert tables.frame_html(df) == df._repr_html_()


def test_long_tables_are_cut_as_pandas_cuts_them():
    df = pd.DataFrame({"n": range(500)})
    with pd.option_context("display.max_rows", 20, "display.min_rows", 6):
        ours, theirs = tables.frame_html(df), df._repr_html_()
    assert ours.count("<tr>") == theirs.count("<tr>")
    assert "500 rows" in ours and "..." in ours


def test_install_registers_the_formatter():
    seen = {}

    class Formatter:
        def for_type(self, kind, fn):
            seen[kind] = fn

    class Shell:
        class display_formatter:
            formatters = {"text/html": Formatter()}

    assert tables.install(Shell()) is True
    assert seen[pd.DataFrame] is tables.frame_html


def test_install_outside_ipython_does_nothing():
    assert tables.install(None) is False


def test_true_false_columns_read_yes_no():
    t = pd.DataFrame({"measure": ["a", "b"], "headline": [True, False], "n": [3, 4],
                      "flag": pd.array([True, None], dtype="boolean")})
    html = tables.frame_html(t)
    rows = re.findall(r"<tr>(.*?)</tr>", re.search(r"<tbody>(.*?)</tbody>", html,
                                                   flags=re.S).group(1), flags=re.S)
    cells = [re.findall(r"<td>([^<]*)</td>", r) for r in rows]
    # a missing flag stays as pandas shows it
    assert cells == [["a", "yes", "3", "yes"], ["b", "no", "4", "NaN"]]
    assert "True" not in html and "False" not in html
    assert t["headline"].dtype == bool            # the caller's table is not changed
    plain = pd.DataFrame({"n": [1, 2]})
    assert tables.yes_no(plain) is plain
