"""The library's shape: rooms by pipeline stage, short functions, old names still importable.

Also covers the development tools in ``tools/`` that check the shape (function lengths) and the
before/after comparison of ``metrics.json`` used when restructuring.
"""
from __future__ import annotations

import importlib
import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import compare_metrics  # noqa: E402
import long_functions  # noqa: E402

PACKAGES = ("config", "data", "risk", "measures", "impact", "sdc", "plots", "report")
#: functions allowed past the limit, with the reason (keep this list short)
LONG_ALLOWED: dict[str, str] = {}


def test_no_function_in_iomlib_is_longer_than_80_lines():
    found = [(f, name, n) for f, name, n in long_functions.long_functions(str(ROOT / "iomlib"), 80)
             if name not in LONG_ALLOWED]
    assert found == []


def test_long_functions_finds_a_long_function(tmp_path):
    body = "\n".join(f"    x{i} = {i}" for i in range(85))
    (tmp_path / "m.py").write_text(f"def short():\n    return 1\n\n\ndef long():\n{body}\n")
    found = long_functions.long_functions(str(tmp_path), 80)
    assert found == [(str(tmp_path / "m.py"), "long", 86)]


@pytest.mark.parametrize("package", PACKAGES)
def test_every_room_is_a_package_with_lazy_exports(package):
    mod = importlib.import_module(f"iomlib.{package}")
    assert (ROOT / "iomlib" / package / "__init__.py").is_file()
    for name in mod.__all__:
        assert getattr(mod, name) is not None, f"iomlib.{package}.{name}"


def test_importing_a_room_does_not_import_the_heavy_libraries():
    code = ("import sys, iomlib.measures.rows, iomlib.data.schema, iomlib.report, iomlib.sdc;"
            "print(sorted(m for m in ('pandera', 'papermill', 'nbconvert', 'statsmodels')"
            " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_old_flat_module_names_still_import_with_a_warning():
    from iomlib._aliases import MOVED
    for old, new in MOVED.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sys.modules.pop(old, None)
            mod = importlib.import_module(old)
        assert mod is importlib.import_module(new), old
        assert mod.__spec__.name == new  # the module keeps its own identity
        assert any(issubclass(w.category, DeprecationWarning) and new in str(w.message)
                   for w in caught), old


def test_unknown_export_is_an_attribute_error():
    import iomlib.measures
    with pytest.raises(AttributeError, match="no_such_measure"):
        iomlib.measures.no_such_measure  # noqa: B018


def _metrics(value=578, run_id="A", started="t0"):
    return {"unique_nominals": {"value": value, "n": value, "alternatives": [{"value": 635.0}]},
            "run": {"run_id": run_id, "started": started, "ended": "t1", "git_commit": "abc",
                    "notebooks": {"01_cohort": "ok"}}}


def test_compare_metrics_ignores_run_ids_and_times(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(_metrics()))
    b.write_text(json.dumps(_metrics(run_id="B", started="t9")))
    assert compare_metrics.main([str(a), str(b)]) == 0


def test_compare_metrics_reports_a_changed_figure(tmp_path, capsys):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(_metrics()))
    after = _metrics(value=577)
    after["run"]["notebooks"]["01_cohort"] = "failed"
    b.write_text(json.dumps(after))
    assert compare_metrics.main([str(a), str(b)]) == 1
    out = capsys.readouterr().out
    assert "unique_nominals.value: 578 != 577" in out
    assert "run.notebooks.01_cohort: 'ok' != 'failed'" in out
