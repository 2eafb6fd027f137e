"""Tables leaving a public session through files (iomlib.sdc.export)."""
from __future__ import annotations

import pandas as pd
import pytest

from iomlib.errors import ParameterError
from iomlib.sdc import Disclosure
from iomlib.sdc.export import export_table, install_export_guard, remove_export_guard


@pytest.fixture
def guarded():
    remove_export_guard()
    yield
    remove_export_guard()


def test_to_excel_after_a_public_guard_writes_only_the_suppressed_table(guarded, tmp_path):
    pytest.importorskip("openpyxl")
    sdc = Disclosure("public")
    raw = pd.DataFrame({"reason": ["moved", "died", "other"], "n": [40, 3, 25]})
    assert sdc.guard(shell=None) in (True, False)          # outside IPython: files only
    with pytest.raises(ParameterError, match="export_table"):
        raw.to_excel(tmp_path / "raw.xlsx")
    with pytest.raises(ParameterError, match="checked by disclosure control"):
        raw.to_csv(tmp_path / "raw.csv")
    assert not (tmp_path / "raw.xlsx").exists() and not (tmp_path / "raw.csv").exists()
    checked = sdc.table(raw, count_cols="n", totals="none")
    checked.to_csv(tmp_path / "checked.csv", index=False)
    text = (tmp_path / "checked.csv").read_text()
    assert "[c]" in text and ",3\n" not in text and "n_suppressed" not in text
    export_table(sdc, checked, tmp_path / "checked.xlsx")
    back = pd.read_excel(tmp_path / "checked.xlsx")
    assert back["n"].tolist() == [40, "[c]", 25]
    with pytest.raises(ParameterError, match=".xlsx or .csv"):
        export_table(sdc, checked, tmp_path / "checked.json")


def test_restricted_sessions_write_as_before(guarded, tmp_path):
    assert Disclosure("restricted").guard() is False
    pd.DataFrame({"n": [3]}).to_csv(tmp_path / "r.csv", index=False)
    assert (tmp_path / "r.csv").read_text() == "n\n3\n"
    assert install_export_guard() is True and install_export_guard() is False
