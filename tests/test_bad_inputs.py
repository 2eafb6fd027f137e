"""The bad-input corpus (``tests/data/bad``): every broken input gets a clear message, no traceback.

* each entry of ``EXPECTED.csv`` is run through ``python -m iomlib validate`` in a process of
  its own (forked from a warm interpreter, a few also cold; see below): exit status 2 for broken
  inputs, the expected words on standard error, no ``Traceback`` anywhere;
* in-process, ``load_dataset(strict=False)`` refuses every ``error`` entry with an
  :class:`~iomlib.errors.IomError` (so "broken" means broken even when leniency is asked for);
* inputs that are usable once bad rows are excluded load with ``strict=False``, and the ledger
  accounts for every row read;
* the committed corpus is what ``make_corpus.py`` writes.
"""
from __future__ import annotations

import csv
import importlib.util
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from iomlib.data.sources import load_dataset, read_tables
from iomlib.errors import DataSourceError, DataValidationError, IomError

BAD = Path(__file__).resolve().parent / "data" / "bad"
ROOT = Path(__file__).resolve().parents[1]
with open(BAD / "EXPECTED.csv", newline="", encoding="utf-8") as _fh:
    ENTRIES = list(csv.DictReader(_fh))
BROKEN = [e for e in ENTRIES if e["outcome"] == "error"]
BINARY_SUFFIXES = (".xlsx", ".parquet", ".db")


def source(entry: dict) -> str:
    """The input of an entry as given on the command line."""
    inp = entry["input"].replace("{dir}", str(BAD))
    return inp if "://" in inp else str(BAD / inp)


def words(entry: dict) -> list[str]:
    return entry["words"].split(" | ")


# ------------------------------------------------------------------------------------------
# the corpus itself


def test_corpus_has_enough_broken_inputs_of_every_kind():
    assert len(BROKEN) >= 30
    names = [e["name"] for e in ENTRIES]
    assert len(names) == len(set(names))
    inputs = [e["input"] for e in BROKEN]
    assert any(i.endswith(".xlsx") for i in inputs)
    assert any(i.startswith("sqlite://") for i in inputs)
    assert any(i.startswith("postgresql://") for i in inputs)
    assert {"truncated_parquet", "bom_defect", "latin1_defect", "semicolon_defect",
            "excel_missing_sheet", "excel_renamed_sheet", "birth_year_1066", "likert_9",
            "unknown_people", "removal_before_adoption", "custody_end_before_start",
            "future_date", "duplicate_person_id", "empty_file", "header_only_table",
            "nonexistent_path", "sql_unreachable", "sql_not_a_database",
            "sql_missing_table"} <= set(names)
    for e in ENTRIES:
        assert e["words"] and e["defect"], e["name"]


def test_every_corpus_file_is_listed_and_every_listed_file_exists():
    listed = {e["input"].split("/")[0] for e in ENTRIES if "://" not in e["input"]}
    listed |= {e["input"].split("{dir}/")[1] for e in ENTRIES if "{dir}/" in e["input"]}
    present = {p.name for p in BAD.iterdir()} - {"make_corpus.py", "EXPECTED.csv",
                                                 "__pycache__"}
    assert present <= listed, f"unlisted corpus files: {sorted(present - listed)}"
    absent = {"no_such_folder", "sql_missing_file.db"}
    assert listed - present == absent


def test_committed_corpus_is_what_make_corpus_writes(tmp_path):
    spec = importlib.util.spec_from_file_location("make_corpus", BAD / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    entries = module.main(tmp_path)
    assert [e["name"] for e in entries] == [e["name"] for e in ENTRIES]
    fresh = {p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()}
    committed = {p.relative_to(BAD) for p in BAD.rglob("*") if p.is_file()
                 and p.name != "make_corpus.py" and "__pycache__" not in p.parts}
    assert fresh == committed
    for rel in fresh:                  # binary formats may differ between library versions
        if rel.suffix not in BINARY_SUFFIXES:
            assert (tmp_path / rel).read_bytes() == (BAD / rel).read_bytes(), rel


# ------------------------------------------------------------------------------------------
# in-process: leniency does not rescue a broken input


@pytest.mark.parametrize("entry", BROKEN, ids=[e["name"] for e in BROKEN])
def test_broken_input_is_refused_even_when_lenient(entry):
    with pytest.raises(IomError) as info:
        load_dataset(source(entry), strict=False)
    assert isinstance(info.value, (DataSourceError, DataValidationError))
    message = str(info.value)
    if isinstance(info.value, DataValidationError):
        message += "\n" + "\n".join(str(p) for p in info.value.problems)
        assert any(p.action == "error" for p in info.value.problems)
    missing = [w for w in words(entry) if w not in message]
    assert not missing, f"{entry['name']}: {missing} not in:\n{message}"


# ------------------------------------------------------------------------------------------
# the command line, one process per entry
#
# A cold ``python -m iomlib validate`` costs ~1-2 s of CPU, nearly all of it imports (pandas,
# pandera, and scipy/statsmodels pulled in by the ``impact`` sub-command's argument parser), so
# 60 cold runs take minutes on a small machine. Each entry therefore runs in its own process
# forked from a "zygote" that has done those imports once: the child runs ``python -m iomlib
# validate ARGS`` exactly (``runpy`` executes ``iomlib/__main__.py`` with ``sys.argv`` set), with
# its own standard output/error and exit status, and any uncaught exception prints a traceback
# as the interpreter would. A few entries also run cold, through a real ``python -m iomlib``;
# IOM_CLI_COLD=1 (or a platform without fork) runs every entry cold.

COLD_SAMPLE = ("nonexistent_path", "latin1_defect", "sql_unreachable")

_ZYGOTE = r"""
import json, os, runpy, sys, time, traceback
import iomlib.cli
iomlib.cli.build_parser()            # everything `python -m iomlib` imports before a command
import iomlib.data.sources, iomlib.data.validate  # ... and what reading a source imports first
iomlib.data.validate._pandera()
import openpyxl, pyarrow.parquet, sqlalchemy, sqlalchemy.dialects.sqlite
jobs = json.loads(sys.stdin.read())
workers = int(sys.argv[1])
running, results = {}, {}

def child(job):
    code = 1
    try:
        for fd, path in ((1, job["out"]), (2, job["err"])):
            f = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(f, fd)
            os.close(f)
        sys.argv = ["iomlib", *job["args"]]
        try:
            runpy.run_module("iomlib", run_name="__main__", alter_sys=True)
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except BaseException:
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)

pending = list(enumerate(jobs))
while pending or running:
    while pending and len(running) < workers:
        i, job = pending.pop(0)
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            child(job)
        running[pid] = (i, time.perf_counter())
    pid, status = os.wait()
    i, t0 = running.pop(pid)
    results[i] = {"code": os.waitstatus_to_exitcode(status),
                  "seconds": time.perf_counter() - t0}
print(json.dumps([results[i] for i in range(len(jobs))]))
"""


def _workers() -> int:
    return max(2, min(8, os.cpu_count() or 2))


def _run_cold(args: list[str]) -> dict:
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "iomlib", "validate", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    return {"code": done.returncode, "stdout": done.stdout, "stderr": done.stderr,
            "seconds": time.perf_counter() - t0}


def _run_forked(arg_lists: list[list[str]], tmp: Path) -> list[dict]:
    jobs = [{"args": ["validate", *args], "out": str(tmp / f"{i}.out"),
             "err": str(tmp / f"{i}.err")} for i, args in enumerate(arg_lists)]
    done = subprocess.run([sys.executable, "-c", _ZYGOTE, str(_workers())], cwd=ROOT,
                          input=json.dumps(jobs), capture_output=True, text=True, timeout=600,
                          check=False)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout.strip().splitlines()[-1])
    for job, r in zip(jobs, results, strict=True):
        r["stdout"] = Path(job["out"]).read_text(encoding="utf-8", errors="replace")
        r["stderr"] = Path(job["err"]).read_text(encoding="utf-8", errors="replace")
    return results


def _check_cli(entry: dict, args: list[str], r: dict) -> list[str]:
    name = entry["name"] + (" --lenient" if "--lenient" in args else "")
    out = r["stdout"] + r["stderr"]
    expect_ok = entry["outcome"] == "ok" or "--lenient" in args
    failures = []
    if "Traceback" in out:
        failures.append(f"{name}: traceback\n{out}")
    elif len(r["stderr"].splitlines()) >= 40:
        failures.append(f"{name}: {len(r['stderr'].splitlines())} lines on stderr (at most 39)")
    elif r["code"] != (0 if expect_ok else 2):
        failures.append(f"{name}: exit status {r['code']}\n{out}")
    elif not expect_ok:
        missing = [w for w in words(entry) if w not in r["stderr"]]
        if missing:
            failures.append(f"{name}: {missing} not on stderr:\n{r['stderr']}")
        if r["stdout"].strip():
            failures.append(f"{name}: unexpected output on stdout:\n{r['stdout']}")
    elif "valid" not in r["stdout"]:
        failures.append(f"{name}: no 'valid' on stdout:\n{out}")
    if entry["name"] == "sql_unreachable" and r["seconds"] > 60:
        failures.append(f"{name}: took {r['seconds']:.0f} s; an unreachable server must fail "
                        f"fast")
    return failures


def _cli_jobs() -> list[tuple[dict, list[str]]]:
    jobs = [(e, [source(e)]) for e in ENTRIES]
    jobs += [(e, ["--lenient", source(e)]) for e in ENTRIES if e["outcome"] == "excluded"]
    return jobs


def test_cli_gives_a_clear_message_for_every_corpus_entry(tmp_path):
    jobs = _cli_jobs()
    if os.environ.get("IOM_CLI_COLD") == "1" or not hasattr(os, "fork"):
        with ThreadPoolExecutor(max_workers=_workers()) as pool:
            results = list(pool.map(lambda job: _run_cold(job[1]), jobs))
    else:
        results = _run_forked([args for _, args in jobs], tmp_path)
    failures = [f for (entry, args), r in zip(jobs, results, strict=True)
                for f in _check_cli(entry, args, r)]
    assert not failures, "\n\n".join(failures)


def test_cold_cli_sample():
    """A few entries through a real, cold ``python -m iomlib validate`` process."""
    jobs = [(e, args) for e, args in _cli_jobs() if e["name"] in COLD_SAMPLE]
    assert len(jobs) == len(COLD_SAMPLE)
    with ThreadPoolExecutor(max_workers=_workers()) as pool:
        results = list(pool.map(lambda job: _run_cold(job[1]), jobs))
    failures = [f for (entry, args), r in zip(jobs, results, strict=True)
                for f in _check_cli(entry, args, r)]
    assert not failures, "\n\n".join(failures)


# ------------------------------------------------------------------------------------------
# usable inputs: rows excluded, every row accounted for


def test_usable_input_loads_with_every_exclusion_in_the_ledger():
    ds = load_dataset(BAD / "usable_with_exclusions", strict=False)
    ledger = ds.ledger
    totals = ledger[ledger.reason == "total"].set_index("table")
    assert (totals.rows_read == totals.rows_used + totals.rows_excluded).all()
    for table, df in ds.tables().items():
        assert totals.loc[table, "rows_used"] == len(df), table
        reasons = ledger[(ledger.table == table) & (ledger.reason != "total")]
        assert reasons.rows_excluded.sum() == totals.loc[table, "rows_excluded"], table
    got = {(r.table, r.reason): (int(r.rows_excluded), r.rows)
           for r in ledger[ledger.reason != "total"].itertuples()}
    cascade = "person_id refers to a people row that was excluded"
    assert got == {
        ("people", "sex is not an allowed value"): (1, "9"),
        ("episodes", "removed_on is before adopted_on"): (1, "21"),
        ("episodes", cascade): (1, "9"),
        ("offences", "person_id is not in people"): (3, "30, 90, 150"),
        ("offences", cascade): (5, "2, 42, 82, 122, 162"),
        ("custody", cascade): (1, "5"),
    }
    assert dict(totals.rows_read) == {"people": 40, "episodes": 40, "offences": 200,
                                      "custody": 4, "idva_survey": 4, "risk_scores": 5}
    assert dict(totals.rows_used) == {"people": 39, "episodes": 38, "offences": 192,
                                      "custody": 3, "idva_survey": 4, "risk_scores": 5}
    assert "P08" not in set(ds.people.person_id)
    assert not {"P98", "P99", "X01"} & set(ds.offences.person_id)
    # strict mode refuses the same data and says why
    with pytest.raises(DataValidationError) as info:
        load_dataset(BAD / "usable_with_exclusions", strict=True)
    assert "strict mode refuses data with excluded rows" in str(info.value)
    assert len(info.value.problems) == 12


def test_odd_but_valid_inputs_load():
    ds = load_dataset(BAD / "usable_extra_column", strict=True)
    assert "nickname" not in ds.people.columns and len(ds.people) == 10
    tables, meta = read_tables(BAD / "usable_utf16_tabs")
    assert meta["encodings"]["people.csv"] == "utf-16"
    assert any("tab-separated" in n for n in meta["notes"])
    assert list(tables["people"].columns) == ["person_id", "birth_year", "sex", "area", "force"]
    assert len(load_dataset(BAD / "usable_utf16_tabs", strict=True).people) == 10


@pytest.mark.parametrize("name", ["british_dates", "excel_british_dates.xlsx"])
def test_british_dates_load_with_dayfirst(name):
    ds = load_dataset(BAD / name, strict=True, dayfirst=True)
    iso = load_dataset(BAD / "usable_extra_column", strict=True)
    for table, col in (("offences", "offence_date"), ("episodes", "adopted_on"),
                       ("episodes", "removed_on")):
        assert ds.table(table)[col].equals(iso.table(table)[col]), (name, col)


def test_y_n_booleans_read_as_true_false():
    iso = load_dataset(BAD / "usable_extra_column", strict=True)
    for name in ("usable_yn_booleans", "excel_yn_booleans.xlsx"):
        ds = load_dataset(BAD / name, strict=True)
        for col in ("weapon", "domestic"):
            assert ds.offences[col].tolist() == iso.offences[col].tolist(), (name, col)
    assert load_dataset(BAD / "usable_yn_booleans").idva_survey["responded"].tolist() == \
        iso.idva_survey["responded"].tolist()


def test_oddities_validate_with_a_ledger_that_adds_up():
    ds = load_dataset(BAD / "usable_oddities", strict=True)
    led = ds.ledger
    totals = led[led.reason == "total"].set_index("table")
    assert (totals.rows_read == totals.rows_used + totals.rows_excluded).all()
    for table, df in ds.tables().items():
        assert totals.loc[table, "rows_used"] == len(df), table
    lines = {(r.table, r.reason.split(";")[0], r.rows_excluded, r.rows)
             for r in led[led.reason != "total"].itertuples()}
    assert lines == {
        ("episodes", "note: removal_reason set aside on open episodes (removed_on is empty)", 0,
         "2"),
        ("episodes", "note: episodes adopted while the person was in custody", 0, "4"),
        ("offences", "note: offences repeating an earlier offence of the same person on the "
         "same day (same code, category and victim) under another offence_id", 0, "14"),
        ("custody", "note: custody spells overlapping an earlier spell of the same person", 0,
         "6"),
    }
    assert "O900" in set(ds.offences.offence_id)       # another record id: kept
    e01 = ds.episodes.set_index("episode_id").loc["E01"]
    assert pd.isna(e01.removed_on) and e01.removal_reason is None


def test_repeated_excel_header_is_reported(tmp_path):
    book = tmp_path / "dup.xlsx"
    tables, _ = read_tables(BAD / "usable_extra_column")
    with pd.ExcelWriter(book) as xw:
        for name, df in tables.items():
            if name == "people":
                df = df.drop(columns="nickname")
                df.insert(3, "sex_again", df["sex"])
                df = df.rename(columns={"sex_again": "sex"})
            df.to_excel(xw, sheet_name=name, index=False)
    with pytest.raises(DataValidationError) as info:
        load_dataset(book)
    assert "dup.xlsx sheet people, column sex: appears more than once" in str(info.value)


def test_single_tables_and_a_folder_with_a_near_miss_name(tmp_path):
    with pytest.raises(DataSourceError, match="is a single table; give the folder"):
        read_tables(BAD / "missing_file" / "people.csv")
    folder = tmp_path / "data"
    folder.mkdir()
    for p in (BAD / "usable_extra_column").iterdir():
        (folder / ("Idva Survey.csv" if p.name == "idva_survey.csv" else p.name)) \
            .write_bytes(p.read_bytes())
    with pytest.raises(DataSourceError) as info:
        read_tables(folder)
    assert "missing idva_survey.csv" in str(info.value)
    assert "'Idva Survey.csv' may be the idva_survey table" in str(info.value)


@pytest.mark.parametrize("path, words", [
    ("a\x00b", "is not a usable path (it holds a NUL character)"),
    ("x" * 5000, "cannot be used as a path (File name too long)"),
])
def test_unusable_paths(path, words):
    with pytest.raises(DataSourceError) as info:
        read_tables(path)
    assert words in str(info.value) and len(str(info.value)) < 600
