"""The restricted disclosure ledger and the runner's audits of it (iomlib.sdc.ledger)."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from iomlib.sdc import Disclosure
from iomlib.sdc.ledger import AUDIT_DIR_ENV, audit_run, audit_sets, audit_tables, read_ledger
from iomlib.sdc.secondary import _Line
from iomlib.sdc.suppress import Published


@pytest.fixture
def ledger(tmp_path, monkeypatch):
    d = tmp_path / "ledger"
    monkeypatch.setenv(AUDIT_DIR_ENV, str(d))
    return d


def _published(values, hidden, lines, n_cols=4):
    return {"kind": "table", "audit_id": "t1", "min_cell": 10,
            "columns": [f"c{j}" for j in range(n_cols)],
            "values": values, "hidden": hidden,
            "lines": [[ln.cells, ln.coefs] for ln in lines], "zeros_shown": True}


def test_audit_tables_finds_the_pinned_pair_and_names_no_value():
    rec = _published([1, 19, 1, 21], [True, False, True, False],
                     [_Line([0, 1, 2, 3], [1.0, 1.0, 1.0, -1.0])])
    problems = audit_tables([rec], 10)
    assert len(problems) == 2
    assert all("worked out" in p for _, p in problems)
    assert not any(" 1 " in p or "19" in p or "21" in p for _, p in problems)
    # hiding the 19 as well: 21 shared by three cells, each can reach 19: protected
    rec["hidden"][1] = True
    assert audit_tables([rec], 10) == []


def test_a_public_table_is_recorded_with_its_true_cells(ledger):
    sdc = Disclosure("public")
    t = pd.DataFrame({"a": [1, 30, 25], "b": [40, 19, 1]})
    out = sdc.table(t, count_cols=["a", "b"], totals="both")
    recs = [r for rs in read_ledger(ledger).values() for r in rs]
    assert len(recs) == 1 and recs[0]["audit_id"] == out.attrs["disclosure"]["audit_id"]
    assert recs[0]["values"] == [1.0, 40.0, 30.0, 19.0, 25.0, 1.0]
    assert audit_tables(recs, 10) == []
    # a restricted Disclosure writes nothing
    Disclosure("restricted").table(t, count_cols=["a", "b"])
    assert sum(len(r) for r in read_ledger(ledger).values()) == 1


def test_nested_counts_across_two_notebooks_are_caught(ledger):
    """03's case: 78 adopted, 71 compared, in two tables: the 7 excluded follow."""
    adopted = [f"E{i}" for i in range(78)]
    first, second = Disclosure("public"), Disclosure("public")
    assert first.people("episodes adopted", adopted) == 78
    assert second.people("episodes compared", adopted[:71]) == 71
    second.people("episodes in the survey", [f"S{i}" for i in range(40)])   # unrelated
    recs = [r for rs in read_ledger(ledger).values() for r in rs]
    problems = audit_sets(recs, 10)
    assert len(problems) == 1
    assert "'episodes adopted' minus 'episodes compared'" in problems[0][1]
    # a difference of 10 or more, or of 0, is fine
    assert audit_sets([r for r in recs if r["label"] != "episodes compared"], 10) == []


def test_disjoint_parts_of_a_total_leave_a_small_rest(ledger):
    sdc = Disclosure("public")
    people = [f"P{i}" for i in range(60)]
    sdc.people("all people", people)
    sdc.people("in custody", people[:25])
    sdc.people("in the community", people[25:57])          # 3 left: on licence, say
    recs = [r for rs in read_ledger(ledger).values() for r in rs]
    msgs = [m for _, m in audit_sets(recs, 10)]
    assert any("minus the sum of" in m for m in msgs)
    # a small hidden count is recorded but not compared
    sdc.people("on licence", people[57:])
    recs = [r for rs in read_ledger(ledger).values() for r in rs]
    assert [r["shown"] for r in recs if r.get("label") == "on licence"] == [False]


def test_fingerprints_are_keyed_not_the_identifiers(ledger):
    Disclosure("public").people("adopted", ["P000123", "P000124"])
    text = "".join(p.read_text() for p in ledger.glob("*.jsonl"))
    assert "P000123" not in text


def test_audit_run_names_the_notebook_that_shows_the_table(ledger, tmp_path):
    sdc = Disclosure("public")
    t = pd.DataFrame({"a": [1, 30, 25], "b": [40, 19, 1]})
    out = sdc.table(t, count_cols=["a", "b"], totals="both")
    nb = {"cells": [{"outputs": [{"metadata": {"text/html": {
        "iom_disclosure": out.attrs["disclosure"]}}}]}]}
    path = tmp_path / "01_cohort.ipynb"
    path.write_text(json.dumps(nb))
    assert audit_run(ledger, 10, {"01_cohort": path}) == {}
    # tamper with the ledger: show a hidden cell's row partner -> the audit fails, by name
    f = next(ledger.glob("*.jsonl"))
    rec = json.loads(f.read_text())
    rec["hidden"] = [True, False, False, False, False, False]
    f.write_text(json.dumps(rec) + "\n")
    problems = audit_run(ledger, 10, {"01_cohort": path})
    assert list(problems) == ["01_cohort"] and "table 1" in problems["01_cohort"][0]


def test_published_holds_the_reader_view():
    p = Published(["a"], np.array([1.0]), np.array([True]), [], True)
    assert p.zeros_shown and p.columns == ["a"]
