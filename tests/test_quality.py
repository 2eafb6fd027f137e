"""iomlib.data.quality: rows set aside, said out loud."""
import json

import pandas as pd

from iomlib.data.quality import announce, data_quality, set_aside
from iomlib.report.quality import quality_section


def _ledger():
    return pd.DataFrame({
        "table": ["people", "people", "offences", "offences", "offences"],
        "rows_read": pd.array([None, 10, None, None, 100], dtype="Int64"),
        "rows_used": pd.array([None, 10, None, None, 95], dtype="Int64"),
        "rows_excluded": pd.array([0, 0, 5, 0, 5], dtype="Int64"),
        "reason": ["note: people with no offences; kept: 2 rows", "total",
                   "offence_category is missing", "note: offences before ...", "total"],
        "rows": ["3, 4", "", "5, 12, 22, 32, 42", "7", "5, 12, 22, 32, 42"]})


def test_set_aside_lists_reasons_not_notes_or_totals():
    s = set_aside(_ledger())
    assert s[["table", "rows_excluded", "reason"]].values.tolist() == [
        ["offences", 5, "offence_category is missing"]]


def test_data_quality_adds_up_and_is_json():
    dq = data_quality(_ledger())
    json.dumps(dq)
    assert dq["tables"]["offences"] == {"rows_read": 100, "rows_used": 95, "rows_set_aside": 5}
    assert dq["rows_set_aside"] == 5
    for t in dq["tables"].values():
        assert t["rows_read"] == t["rows_used"] + t["rows_set_aside"]
    assert [n["table"] for n in dq["notes"]] == ["people", "offences"]


def test_announce_and_the_index_section():
    lines = announce(_ledger())
    assert lines[0] == ("iom report: 5 of 100 offences rows set aside: offence_category is "
                        "missing (rows 5, 12, 22, 32, 42)")
    assert "iom validate" in lines[-1]
    clean = _ledger()
    clean["rows_excluded"] = pd.array([0] * 5, dtype="Int64")
    assert announce(clean) == []
    html = quality_section(data_quality(_ledger()))
    assert "5 rows were set aside" in html and "offence_category is missing" in html
    assert "No row was set aside" in quality_section(data_quality(clean))
    assert quality_section(None) == ""
