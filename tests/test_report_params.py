"""Tests of iomlib.report.params: reading, checking and merging the report parameters."""
from __future__ import annotations

import pytest
from report_helpers import PARAMS_SRC, write_notebook

from iomlib.errors import IomError, ParameterError
from iomlib.report import audience, params


def test_resolve_parameters_merges_file_cli_and_config(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("x: 1\n")
    p = params.resolve_parameters({"cohort": "dviom", "min_cell": 7, "as_of": "2019-12-31"},
                                  {"min_cell": "12"}, base=tmp_path,
                                  config_defaults={"audience": "public"})
    assert p["cohort"] == "DVIOM" and p["min_cell"] == 12 and p["as_of"] == "2019-12-31"
    assert p["audience"] == "public" and p["data"] is None and p["person_id"] is None
    assert set(p) == set(params.PARAMETERS)
    p = params.resolve_parameters({"config": "c.yaml", "data": "null"}, base=tmp_path)
    assert p["config"] == str(cfg.resolve()) and p["data"] is None
    import datetime
    assert params.resolve_parameters({"as_of": datetime.date(2020, 1, 31)})["as_of"] == \
        "2020-01-31"



def test_resolve_parameters_reports_every_problem():
    with pytest.raises(ParameterError) as e:
        params.resolve_parameters({"cohrt": "IOM", "min_cell": True}, {"audience": "pub"})
    msg = str(e.value)
    assert "did you mean 'cohort'" in msg and "min_cell" in msg and "audience" in msg
    assert "did you mean 'public'" in msg
    assert msg.count("\n  ") >= 3



def test_resolve_parameters_sqlite_and_paths(tmp_path):
    db = tmp_path / "iom.db"
    db.write_bytes(b"")
    p = params.resolve_parameters({}, {"data": "sqlite:///iom.db"}, base=tmp_path)
    assert p["data"] == f"sqlite:///{db.resolve()}"
    with pytest.raises(ParameterError, match="does not exist"):
        params.resolve_parameters({}, {"data": "sqlite:///missing.db"}, base=tmp_path)
    p = params.resolve_parameters({}, {"data": "postgresql://u@h/db"})
    assert p["data"] == "postgresql://u@h/db"



def test_notebook_only_parameters_are_typed_by_their_default():
    declared = {"n_boot": 200, "label": "x", "flag": False}
    p = params.resolve_parameters({"label": "y"}, {"n_boot": "500", "flag": "true"},
                                  declared=declared)
    assert p["n_boot"] == 500 and p["label"] == "y" and p["flag"] is True
    with pytest.raises(ParameterError, match="n_boot"):
        params.resolve_parameters({}, {"n_boot": "many"}, declared=declared)
    with pytest.raises(ParameterError, match="did you mean 'n_boot'"):
        params.resolve_parameters({}, {"n_bot": "5"}, declared=declared)



def test_notebook_parameters_parsing(tmp_path):
    nb = write_notebook(tmp_path / "01_x.ipynb", [("md", "# X")],
                        params=PARAMS_SRC + "\n%matplotlib inline\nn: int = 3\nz = some_call()")
    got = params.notebook_parameters(nb)
    assert got["as_of"] == "2020-01-31" and got["min_cell"] == 10 and got["data"] is None
    assert got["n"] == 3 and "z" in got
    assert params.notebook_parameters(write_notebook(tmp_path / "02_y.ipynb", [("md", "# Y")],
                                                     params=None)) is None
    bad = write_notebook(tmp_path / "03_z.ipynb", [], params="x = (")
    with pytest.raises(IomError, match="not valid Python"):
        params.notebook_parameters(bad)



def test_mask_secrets():
    shown = params.mask_secrets({"data": "postgresql://bob:s3cret@db:5432/iom", "n": 3,
                                 "config": "/a/b.yaml"})
    assert shown == {"data": "postgresql://bob:***@db:5432/iom", "n": 3, "config": "/a/b.yaml"}



def test_show_identifiers_is_a_checked_boolean():
    for text, want in (("true", True), ("False", False), ("yes", True), ("0", False)):
        assert params.resolve_parameters(cli_values={"show_identifiers": text})[
            "show_identifiers"] is want
    assert params.resolve_parameters()["show_identifiers"] is False
    assert "real identifiers" in audience.marking({"audience": "restricted", "min_cell": 10,
                                                 "show_identifiers": True})
