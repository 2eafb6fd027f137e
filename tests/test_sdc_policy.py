"""Tests of iomlib.sdc.policy: the Disclosure rules object used by every notebook, banners."""
from __future__ import annotations

import pandas as pd
import pytest
from sdc_attack import assert_protected, attack, with_margins

from iomlib.errors import ParameterError
from iomlib.sdc.policy import WITHHELD_MARKER, Disclosure, banner
from iomlib.sdc.pseudonyms import (
    IDENTIFIER_COLUMNS,
    KEY_ENV,
    KEY_FILE_ENV,
    new_key_file,
    pseudonymise,
)

# ------------------------------------------------------------------------------------------
# banners



@pytest.fixture(autouse=True)
def _no_export_guard_afterwards():
    """A public guard also wraps DataFrame.to_excel/to_csv in this process: undo it."""
    yield
    from iomlib.sdc.export import remove_export_guard
    remove_export_guard()


def test_banners():
    text = banner("public")
    assert text.startswith("OFFICIAL — PUBLIC")
    assert "resting on 1 to 9 people is suppressed ([c])" in text
    assert "curve points on fewer than 10 people" in text and "no identifiers" in text
    assert "1 to 4 people" in banner("public", 5)
    assert banner("restricted").startswith("OFFICIAL-SENSITIVE — RESTRICTED")
    assert "keyed pseudonyms" in banner("restricted")
    assert "real identifiers" in banner("restricted", show_identifiers=True)
    with pytest.raises(ParameterError, match="public, restricted"):
        banner("everyone")


# ------------------------------------------------------------------------------------------
# the Disclosure rules object used by every notebook


def test_public_table_hides_small_cells_and_is_protected():
    truth = with_margins([[25, 3, 40], [12, 30, 18], [22, 15, 31]])
    sdc = Disclosure("public", min_cell=10)
    out = sdc.table(truth, count_cols=["c0", "c1", "c2"],
                    totals={"column": "total", "row": "Total"})
    assert pd.isna(out.loc["r0", "c1"])                      # the 3
    meta = out.attrs["disclosure"]
    assert (meta["audience"], meta["min_cell"], meta["kind"]) == ("public", 10, "table")
    assert meta["smallest_count_shown"] >= 10 and meta["cells_hidden"] >= 2
    assert_protected(attack(out, truth, ["c0", "c1", "c2"]))
    shown = sdc.for_display(out)
    assert shown.loc["r0", "c1"] == "[c]"
    assert not any(c.endswith("_suppressed") for c in shown.columns)
    assert "disclosure" in shown.attrs
    log = sdc.summary().iloc[-1]
    assert log["cells_hidden"] >= 2 and log["smallest_count_shown"] >= 10


def test_restricted_table_is_unsuppressed_but_pseudonymised():
    t = pd.DataFrame({"person_id": ["P1", "P2", "P1"], "episode_id": ["E1", "E2", "E3"],
                      "n": [1, 2, 3]})
    sdc = Disclosure("restricted", key="k")
    out = sdc.table(t, count_cols="n")
    assert out["n"].tolist() == [1, 2, 3]
    assert out["person_id"].tolist() == pseudonymise(["P1", "P2", "P1"], "k", prefix="N-")
    assert out["episode_id"].str.startswith("E-").all() and "E1" not in out["episode_id"].values
    assert t["person_id"].tolist() == ["P1", "P2", "P1"]     # input untouched
    shown = Disclosure("restricted", key="k", show_identifiers=True).table(t, count_cols="n")
    assert shown["person_id"].tolist() == ["P1", "P2", "P1"]


def test_identifier_index_is_pseudonymised_too():
    t = pd.DataFrame({"n": [4, 5]}, index=pd.Index(["P1", "P2"], name="person_id"))
    out = Disclosure("restricted", key="k").table(t, count_cols="n")
    assert list(out.index) == pseudonymise(["P1", "P2"], "k", prefix="N-")


def test_public_refuses_identifiers_and_unexplained_tables():
    sdc = Disclosure("public")
    with pytest.raises(ParameterError, match="identifier column.*person_id"):
        sdc.table(pd.DataFrame({"person_id": ["P1"], "n": [20]}), count_cols="n")
    with pytest.raises(ParameterError, match="count_cols.*rests_on"):
        sdc.table(pd.DataFrame({"x": [1.0]}))
    with pytest.raises(ParameterError, match="public report cannot show a person_id"):
        sdc.identifier("P1")
    with pytest.raises(ParameterError, match="show_identifiers"):
        Disclosure("public", show_identifiers=True)
    with pytest.raises(ParameterError, match="audience='everyone'"):
        Disclosure("everyone")
    with pytest.raises(ParameterError, match="min_cell"):
        Disclosure("public", min_cell=0)


def test_rests_on_hides_a_small_group_entirely():
    est = pd.DataFrame({"term": ["age", "sex"], "smd": [0.05, -0.02], "ok": [True, True]})
    sdc = Disclosure("public", min_cell=10)
    small = sdc.table(est, rests_on=6)
    assert small["smd"].isna().all() and small["term"].tolist() == ["age", "sex"]
    assert small["ok"].tolist() == [True, True]               # booleans are not figures
    assert est["smd"].notna().all()                            # the input is not changed
    big = sdc.table(est, rests_on=60)
    assert big["smd"].tolist() == [0.05, -0.02]


def test_measures_and_curves_through_the_rules():
    m = pd.DataFrame({"measure": ["a", "b"], "value": [50.0, 80.0], "n": [40, 6],
                      "numerator": [20, 5], "ci_low": [35.0, 40.0], "ci_high": [65.0, 96.0]})
    out = Disclosure("public").measures(m, count_cols=("n", "numerator"))
    assert out.loc[0, "value"] == 50.0
    assert out.loc[1, ["value", "n", "numerator", "ci_low", "ci_high"]].isna().all()
    curve = pd.DataFrame({"month": [0, 1, 2], "mean": [5.0, 4.0, 3.0], "n_at_risk": [30, 12, 9]})
    c = Disclosure("public").curve(curve)
    assert c["mean"].isna().tolist() == [False, False, True]
    r = Disclosure("restricted", key="k").curve(curve)
    assert r["mean"].tolist() == [5.0, 4.0, 3.0]


def test_counts_in_text():
    pub, res = Disclosure("public", min_cell=10), Disclosure("restricted", key="k")
    assert pub.count(3, "people") == "fewer than 10 people"
    assert pub.count(0) == "0" and pub.count(1234) == "1,234"
    assert res.count(3) == "3"
    assert pub.is_small(9) and not pub.is_small(10) and not pub.is_small(0)
    assert not res.is_small(3)
    assert res.identifier("P1") == pseudonymise("P1", "k", prefix="N-")
    assert res.identifier("S9", "survivor_id").startswith("S-")


def test_for_display_refuses_unchecked_tables():
    with pytest.raises(ParameterError, match="Disclosure.table"):
        Disclosure("public").for_display(pd.DataFrame({"n": [1]}))


def test_guard_withholds_unchecked_tables_in_a_public_shell():
    from IPython.core.interactiveshell import InteractiveShell
    shell = InteractiveShell.instance()
    try:
        fmt = shell.display_formatter
        raw = pd.DataFrame({"n": [3]})
        assert Disclosure("restricted", key="k").guard(shell) is False
        assert "withheld" not in fmt.format(raw)[0]["text/html"]
        sdc = Disclosure("public")
        assert sdc.guard(shell) is True
        data, _ = fmt.format(raw)
        assert WITHHELD_MARKER in data["text/html"] and "3" not in data["text/plain"]
        assert WITHHELD_MARKER in fmt.format(raw["n"])[0]["text/html"]
        checked = sdc.for_display(sdc.table(pd.DataFrame({"n": [3, 40]}), count_cols="n",
                                            totals="none"))
        data, meta = fmt.format(checked)
        assert WITHHELD_MARKER not in data["text/html"]
        audit = meta["text/html"]["iom_disclosure"]
        assert audit["smallest_count_shown"] == 40 and audit["cells_hidden"] == 1
        assert "[c]" in data["text/html"] and "40" in data["text/html"]
    finally:
        for kind in (pd.DataFrame, pd.Series):
            for mime in ("text/html", "text/plain"):
                shell.display_formatter.formatters[mime].pop(kind, None)
        InteractiveShell.clear_instance()


def test_pseudonyms_are_stable_across_objects_with_the_same_key(monkeypatch, tmp_path):
    path = new_key_file(tmp_path / ".pseudonym-key")
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.setenv(KEY_FILE_ENV, str(path))
    a, b = Disclosure("restricted"), Disclosure("restricted")
    assert a.identifier("P0001") == b.identifier("P0001")
    monkeypatch.delenv(KEY_FILE_ENV)
    c, d = Disclosure("restricted"), Disclosure("restricted")   # session keys: unrelated
    assert c.identifier("P0001") != d.identifier("P0001")
    assert "this session only" in c.key_source_
    assert set(IDENTIFIER_COLUMNS) >= {"person_id", "survivor_id", "offence_id", "victim_id"}


def test_combine_marks_joins_of_checked_tables_only():
    sdc = Disclosure("public", min_cell=10)
    a = sdc.table(pd.DataFrame({"x": [40, 3, 25]}), count_cols="x", totals="none")
    b = sdc.table(pd.DataFrame({"y": [12, 50, 4]}), count_cols="y", totals="none")
    both = sdc.combine(a.join(b), a, b)
    check = both.attrs["disclosure"]
    assert check["kind"] == "combined" and check["count_columns"] == ["x", "y"]
    assert check["cells_hidden"] == 2 and check["smallest_count_shown"] == 12
    assert check["audit_ids"] == [a.attrs["disclosure"]["audit_id"],
                                  b.attrs["disclosure"]["audit_id"]]
    with pytest.raises(ParameterError, match="source 2 was not checked"):
        sdc.combine(a.join(pd.DataFrame({"z": [1, 2, 3]})), a, pd.DataFrame({"z": [1, 2, 3]}))
    with pytest.raises(ParameterError, match="source 1 was not checked"):
        Disclosure("public", min_cell=20).combine(a.copy(), a)
    with pytest.raises(ParameterError, match="name the checked tables"):
        sdc.combine(a.copy())


def test_figures_in_text():
    pub = Disclosure("public", min_cell=10)
    assert pub.figure(0.1234, ".0%", 500, 4) == "[c]"
    assert pub.figure(0.1234, ".0%", 500, 40) == "12%"
    assert Disclosure("restricted", key="k").figure(2.5, ".1f", 3) == "2.5"


# ------------------------------------------------------------------------------------------
# the package's public names (iomlib.disclosure is the old name of iomlib.sdc)

PUBLIC = ("AUDIENCES DEFAULT_MIN_CELL SUPPRESSED_SYMBOL MEASURE_DERIVED CURVE_VALUES "
          "IDENTIFIER_COLUMNS KEY_ENV KEY_FILE_ENV WITHHELD_MARKER derivable_cells suppress_table "
          "suppress_measures suppress_curve suppress_headline fold_hidden display_table "
          "pseudonymise scan_for_identifiers banner new_key_file pseudonym_key Disclosure "
          "audit_notebook").split()


def test_every_public_name_is_exported_by_the_package_and_its_old_name():
    import importlib
    import warnings

    import iomlib.sdc
    assert set(PUBLIC) <= set(iomlib.sdc.__all__)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        old = importlib.import_module("iomlib.disclosure")
    for name in PUBLIC:
        assert getattr(old, name) is getattr(iomlib.sdc, name), name
    assert iomlib.sdc.SUPPRESSED_SYMBOL == "[c]"
    assert iomlib.sdc.AUDIENCES == ("public", "restricted")


def test_table_defaults_to_the_safe_totals_rule():
    """Disclosure.table used to default to totals="none" (no secondary suppression) while
    suppress_table's default meant "both": an analyst's own table got the unsafe one."""
    sdc = Disclosure("public")
    t = pd.DataFrame({"n": [3, 40, 25]})
    out = sdc.table(t, count_cols="n")
    assert out["n"].isna().sum() == 2          # the 3, and a complement for the column total
    assert sdc.table(t, count_cols="n", totals="none")["n"].isna().sum() == 1


def test_a_public_min_cell_below_10_needs_the_named_override(monkeypatch):
    from iomlib.config.params import ALLOW_SMALL_MIN_CELL_ENV, RunParameters
    monkeypatch.delenv(ALLOW_SMALL_MIN_CELL_ENV, raising=False)
    with pytest.raises(ParameterError, match="allow_small_min_cell"):
        Disclosure("public", min_cell=5)
    with pytest.raises(ParameterError, match="min_cell=5: below 10 for a public audience"):
        RunParameters.from_values({"min_cell": 5, "audience": "public"})
    assert RunParameters.from_values({"min_cell": 5}).min_cell == 5        # restricted: fine
    ok = RunParameters.from_values({"min_cell": 5, "audience": "public",
                                    "allow_small_min_cell": "true"})
    assert ok.allow_small_min_cell
    sdc = Disclosure("public", min_cell=5, allow_small_min_cell=True)
    assert "below the usual 10: allowed by allow_small_min_cell" in sdc.banner
    assert "below the usual" not in Disclosure("public").banner
    # the runner passes the override on to the kernels (the notebooks do not declare it)
    monkeypatch.setenv(ALLOW_SMALL_MIN_CELL_ENV, "1")
    assert Disclosure("public", min_cell=5).small_min_cell
