"""Tests of iomlib.config.params: the run-parameter model, the one declaration of every
parameter (the notebooks' parameters cells are checked against it)."""
from __future__ import annotations

import ast
import datetime
from pathlib import Path

import numpy as np
import pytest

from iomlib.config.params import AUDIENCES, COHORTS, RunParameters, config_defaults
from iomlib.errors import ParameterError

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_parameters_cell_declares_only_model_parameters_with_model_defaults(path):
    papermill = pytest.importorskip("papermill")
    declared = papermill.inspect_notebook(str(path))
    assert declared, f"{path.name} has no parameters cell"
    defaults = RunParameters.defaults()
    unknown = set(declared) - set(defaults)
    assert not unknown, f"{path.name} declares parameters the model lacks: {sorted(unknown)}"
    for name, info in declared.items():
        assert ast.literal_eval(info["default"]) == defaults[name], (path.name, name)


def test_every_field_has_a_default_and_help():
    assert list(RunParameters.defaults()) == [
        "data", "as_of", "period_start", "cohort", "config", "min_cell", "audience",
        "person_id", "show_identifiers", "allow_small_min_cell"]
    for name, f in RunParameters.model_fields.items():
        assert f.description, name
    assert RunParameters.choices("cohort") == COHORTS == ("all", "IOM", "DVIOM", "KNIFE")
    assert RunParameters.choices("audience") == AUDIENCES
    assert RunParameters.choices("min_cell") == ()


def test_defaults_validate():
    p = RunParameters.from_values()
    assert p.model_dump() == RunParameters.defaults()
    assert RunParameters().model_dump() == RunParameters.defaults()


@pytest.mark.parametrize("name, value, want", [
    ("cohort", "dviom", "DVIOM"), ("audience", " Public ", "public"),
    ("min_cell", "12", 12), ("min_cell", np.int64(3), 3), ("min_cell", 5.0, 5),
    ("as_of", datetime.date(2020, 1, 31), "2020-01-31"), ("as_of", " 2019-12-31", "2019-12-31"),
    ("show_identifiers", "yes", True), ("show_identifiers", "null", False),
    ("person_id", 123, "123"), ("person_id", "none", None), ("data", "synthetic", None),
])
def test_values_are_normalised(name, value, want):
    assert RunParameters.check(name, value) == want


@pytest.mark.parametrize("name, value, message", [
    ("cohort", "IOMM", "'IOMM' is not one of all, IOM, DVIOM, KNIFE (did you mean 'IOM'?)"),
    ("audience", "pub", "'pub' is not one of public, restricted (did you mean 'public'?)"),
    ("min_cell", True, "True is not a whole number"),
    ("min_cell", 2.5, "2.5 is not a whole number"),
    ("min_cell", "0", "'0' must be a positive whole number (1 or more)"),
    ("as_of", "31/01/2020", "'31/01/2020' is not a date in the form YYYY-MM-DD"),
    ("show_identifiers", "perhaps", "'perhaps' is not true or false"),
    ("person_id", 1.5, "1.5 is not a person identifier"),
])
def test_bad_values_give_the_reason(name, value, message):
    with pytest.raises(ValueError) as exc:
        RunParameters.check(name, value)
    assert str(exc.value) == message


def test_relative_paths_are_relative_to_base(tmp_path):
    (tmp_path / "c.yaml").write_text("{}\n")
    assert RunParameters.check("config", "c.yaml", base=tmp_path) == str(tmp_path / "c.yaml")
    with pytest.raises(ValueError, match="does not exist or is not a file"):
        RunParameters.check("config", "c.yaml")


def test_from_values_reports_every_problem_with_hints():
    with pytest.raises(ParameterError) as exc:
        RunParameters.from_values({"cohrt": "IOM", "min_cell": 0, "audience": "public",
                                   "show_identifiers": True, "person_id": "P1"},
                                  sources={"min_cell": "command line"})
    msg = str(exc.value)
    assert "unknown parameter 'cohrt'; did you mean 'cohort'?" in msg
    assert "parameter min_cell (command line): 0 must be a positive" in msg
    assert "person_id: a nominal profile identifies a person" in msg
    assert "show_identifiers: identifiers are never shown to a public audience" in msg


def test_the_model_itself_applies_the_rules_between_fields():
    with pytest.raises(ValueError, match="after as_of"):
        RunParameters(as_of="2019-01-01", period_start="2020-01-01")
    with pytest.raises(ValueError, match="never shown to a public"):
        RunParameters(audience="public", show_identifiers=True)


def test_for_run_takes_unset_values_from_the_configuration(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text("report:\n  min_cell: 20\n  audience: public\nheadline:\n  as_of: '2018-12-31'\n")
    p = RunParameters.for_run(config=str(f), min_cell=None, audience=None)
    assert (p.min_cell, p.audience, p.as_of) == (20, "public", "2018-12-31")
    assert RunParameters.for_run(config=str(f), min_cell=7,
                                 allow_small_min_cell=True).min_cell == 7
    with pytest.raises(ParameterError, match="allow_small_min_cell"):   # public from the file
        RunParameters.for_run(config=str(f), min_cell=7)
    assert config_defaults()["audience"] == "restricted"
    assert p.config_overrides() == {"as_of": "2018-12-31", "period_start": "2016-01-01",
                                    "min_cell": 20, "audience": "public"}
