"""Property-based fuzzing of read_tables / validate_tables / load_dataset.

Garbage cells, dropped / renamed / repeated columns, missing and empty tables, random bytes in
CSV files and corrupted Parquet, Excel and SQLite files. The only outcomes allowed are:

* ``validate_tables`` returns (it reports problems, it never raises);
* ``load_dataset`` returns a :class:`Dataset` or raises :class:`DataSourceError` /
  :class:`DataValidationError` -- never any other exception;

and whenever tables come back, the ledger accounts for every row (read = used + excluded, the
per-reason counts add up) and tables without an ``"error"`` problem conform to the schema.

Each example runs the real validator (~0.1-0.2 s), so the example counts are modest; run with
``HYPOTHESIS_PROFILE=iom-thorough`` for ten times more.
"""
from __future__ import annotations

import datetime
import importlib.util
import os
import shutil
import sqlite3
import string
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from iomlib.data.dataset import Dataset
from iomlib.data.schema import TABLES
from iomlib.data.sources import load_dataset
from iomlib.data.validate import validate_tables
from iomlib.errors import DataSourceError, DataValidationError

TODAY = "2020-01-31"
_spec = importlib.util.spec_from_file_location(
    "make_corpus", Path(__file__).resolve().parent / "data" / "bad" / "make_corpus.py")
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)

BASE_TEXT = {name: df.astype(object) for name, df in corpus.frames(corpus.base()).items()}
BASE_TYPED = {name: corpus.typed(df, name) for name, df in corpus.frames(corpus.base()).items()}
CELLS = [(t, c) for t, df in BASE_TEXT.items() for c in df.columns]

_N = settings.default.max_examples              # 40 by default (tests/conftest.py profiles)
FUZZ = settings(max_examples=_N, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
FUZZ_FILES = settings(FUZZ, max_examples=max(10, _N * 3 // 4))

NASTY = ["", " ", "NaT", "nan", "NaN", "None", "null", "NA", "inf", "-inf", "1e309", "-0",
         "0x1F", "1_000", "١٩٨٠", "²", "2019-02-30", "2019-13-01", "0001-01-01", "9999-12-31",
         "2019-1-1", "2019-01-01T25:00", "20190101", "01/02/2019", "true ", " FALSE", "yes!",
         "\x00", "\ufeff", "P01\n", '"', "'", ";", ",", "1,5", "3.0", "3.5", "1e3", "-1",
         "1900", "2030", "2031", "1899-12-31", "2262-04-12", "1677-09-21", "999999999999999999"]
GARBAGE = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=12),
    st.integers(min_value=-(10 ** 20), max_value=10 ** 20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
    st.booleans(),
    st.binary(max_size=6),
    st.dates(min_value=datetime.date(1, 1, 1)),
    st.datetimes(min_value=datetime.datetime(1600, 1, 1)),
    st.just(pd.NA), st.just(pd.NaT), st.just(np.nan),
    st.lists(st.integers(), max_size=2),
)


def note(label: str) -> None:
    """Count an outcome in the hypothesis statistics (``--hypothesis-show-statistics``)."""
    if currently_in_test_context():
        event(label)


def fresh(typed: bool) -> dict[str, pd.DataFrame]:
    base = BASE_TYPED if typed else BASE_TEXT
    return {name: df.copy() for name, df in base.items()}


def check_ledger(ledger: pd.DataFrame, clean: dict[str, pd.DataFrame],
                 rows_read: dict[str, int] | None = None) -> None:
    totals = ledger[ledger.reason == "total"]
    assert totals.table.is_unique
    totals = totals.set_index("table")
    for name, df in clean.items():
        t = totals.loc[name]
        assert t.rows_read == t.rows_used + t.rows_excluded
        assert t.rows_used == len(df)
        reasons = ledger[(ledger.table == name) & (ledger.reason != "total")]
        assert reasons.rows_excluded.sum() == t.rows_excluded
        is_note = reasons.reason.str.startswith("note: ")       # kept rows: count 0
        assert (reasons.rows_excluded[~is_note] > 0).all()
        assert (reasons.rows_excluded[is_note] == 0).all()
        if rows_read is not None:
            assert t.rows_read == rows_read[name]


def check_conforms(tables: dict[str, pd.DataFrame], schema_problems) -> None:
    ds = Dataset(**{name: tables.get(name) for name in TABLES})
    assert schema_problems(ds) == []


def validate_and_check(raw: dict[str, pd.DataFrame], schema_problems,
                       max_bad_fraction: float = 0.05) -> list:
    clean, ledger, problems = validate_tables(raw, today=TODAY,   # must not raise
                                              max_bad_fraction=max_bad_fraction)
    note("errors" if any(p.action == "error" for p in problems)
          else "rows excluded" if any(p.action == "excluded" for p in problems) else "clean")
    known = {n: len(df) for n, df in raw.items() if n in TABLES}
    check_ledger(ledger, clean, known)
    assert set(clean) == set(known)
    for p in problems:
        assert p.action in ("error", "excluded", "set aside", "ignored")
        assert str(p)                                           # every problem can be shown
    if not any(p.action == "error" for p in problems):
        check_conforms(clean, schema_problems)
    return problems


# ------------------------------------------------------------------------------------------
# in memory: garbage values and broken structure


@FUZZ
@given(st.booleans(),
       st.lists(st.tuples(st.sampled_from(CELLS), st.integers(0, 10_000), GARBAGE),
                min_size=1, max_size=8),
       st.sampled_from([0.05, 1.0]))
def test_garbage_cells(schema_problems, typed, edits, max_bad_fraction):
    raw = fresh(typed)
    for (table, column), r, value in edits:
        df = raw[table]
        if len(df) == 0:
            continue
        df[column] = df[column].astype(object)
        df.iat[r % len(df), df.columns.get_loc(column)] = value
    validate_and_check(raw, schema_problems, max_bad_fraction)


STRUCTURE = st.one_of(
    st.tuples(st.just("drop"), st.sampled_from(CELLS), st.none()),
    st.tuples(st.just("rename"), st.sampled_from(CELLS),
              st.one_of(st.text(max_size=10), st.sampled_from([c for _, c in CELLS]),
                        st.integers(), st.none())),
    st.tuples(st.just("repeat"), st.sampled_from(CELLS), st.none()),
    st.tuples(st.just("shuffle"), st.sampled_from(list(TABLES)), st.randoms()),
    st.tuples(st.just("empty"), st.sampled_from(list(TABLES)), st.none()),
    st.tuples(st.just("remove"), st.sampled_from(list(TABLES)), st.none()),
    st.tuples(st.just("extra"), st.text(max_size=8), st.none()),
    st.tuples(st.just("reindex"), st.sampled_from(list(TABLES)),
              st.sampled_from(["strings", "duplicates", "negative", "float"])),
)


@FUZZ
@given(st.booleans(), st.lists(STRUCTURE, min_size=1, max_size=5))
def test_broken_structure(schema_problems, typed, ops):
    raw = fresh(typed)
    for op, target, arg in ops:
        table = target[0] if isinstance(target, tuple) else target
        if op == "extra":
            raw[f"x_{target}"] = pd.DataFrame({"a": [1]})
            continue
        if table not in raw:
            continue
        df = raw[table]
        if op in ("drop", "rename", "repeat") and target[1] not in df.columns:
            continue
        if op == "drop":
            raw[table] = df.drop(columns=target[1])
        elif op == "rename":
            raw[table] = df.rename(columns={target[1]: arg})
        elif op == "repeat":
            raw[table] = pd.concat([df, df[[target[1]]]], axis=1)
        elif op == "shuffle":
            cols = list(df.columns)
            arg.shuffle(cols)
            raw[table] = df[cols] if len(set(cols)) == len(cols) else df
        elif op == "empty":
            raw[table] = df.iloc[0:0]
        elif op == "remove":
            del raw[table]
        elif op == "reindex":
            n = len(df)
            index = {"strings": [f"r{i}" for i in range(n)], "duplicates": [0] * n,
                     "negative": list(range(-n, 0)), "float": [i + 0.5 for i in range(n)]}[arg]
            raw[table] = df.set_axis(index, axis=0)
    validate_and_check(raw, schema_problems)


# ------------------------------------------------------------------------------------------
# files: random bytes in CSV, corrupted Parquet / Excel / SQLite


def load_outcome(source, schema_problems):
    """Load; return the Dataset or the (allowed) exception. Anything else propagates."""
    try:
        ds = load_dataset(source, strict=False, today=TODAY)
    except (DataSourceError, DataValidationError) as exc:
        note(type(exc).__name__)
        assert str(exc).strip()
        assert "Traceback" not in str(exc)
        if isinstance(exc, DataValidationError):
            assert any(p.action == "error" for p in exc.problems)
        return exc
    note("Dataset" + (" with exclusions" if ds.ledger.rows_excluded.sum() else ""))
    check_ledger(ds.ledger, ds.tables())
    check_conforms(ds.tables(), schema_problems)
    return ds


@pytest.fixture(scope="module")
def csv_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz_csv") / "base"
    folder.mkdir()
    for name, rows in corpus.base().items():
        (folder / f"{name}.csv").write_text(corpus.csv_text(corpus.COLUMNS[name], rows),
                                            encoding="utf-8", newline="")
    return folder


_TEXTY = st.text(alphabet=string.ascii_letters + string.digits + ',;"\'\n\r\t -:./\x00é€',
                 max_size=30)
MUTATION = st.one_of(
    st.tuples(st.just("replace_all"), st.binary(max_size=300), st.just(0)),
    st.tuples(st.just("insert"), st.one_of(st.binary(min_size=1, max_size=20),
                                           _TEXTY.map(lambda s: s.encode("utf-8"))),
              st.integers(0, 10_000)),
    st.tuples(st.just("overwrite"), st.binary(min_size=1, max_size=20), st.integers(0, 10_000)),
    st.tuples(st.just("truncate"), st.just(b""), st.integers(0, 10_000)),
    st.tuples(st.just("encode"), st.sampled_from(["latin-1", "utf-16", "utf-8-sig", "cp1252",
                                                  "utf-16-le"]), st.just(0)),
)


def mutate(data: bytes, mutation) -> bytes:
    kind, payload, at = mutation
    at = at % (len(data) + 1)
    if kind == "replace_all":
        return payload
    if kind == "insert":
        return data[:at] + payload + data[at:]
    if kind == "overwrite":
        return data[:at] + payload + data[at + len(payload):]
    if kind == "truncate":
        return data[:at]
    return data.decode("utf-8", errors="replace").encode(payload, errors="replace")


@FUZZ_FILES
@given(st.lists(st.tuples(st.sampled_from(list(TABLES)), MUTATION), min_size=1, max_size=3))
def test_random_bytes_in_csv_files(csv_folder, tmp_path_factory, schema_problems, mutations):
    folder = tmp_path_factory.mktemp("fuzz") / "data"
    shutil.copytree(csv_folder, folder)
    for table, mutation in mutations:
        p = folder / f"{table}.csv"
        p.write_bytes(mutate(p.read_bytes(), mutation))
    load_outcome(folder, schema_problems)


@pytest.fixture(scope="module")
def binary_sources(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("fuzz_bin")
    (root / "parquet").mkdir()
    for name, df in BASE_TYPED.items():
        df.to_parquet(root / "parquet" / f"{name}.parquet", index=False)
    corpus.write_workbook(root / "iom.xlsx", BASE_TYPED)
    corpus.write_sqlite(root / "iom.db", BASE_TYPED)
    return {"parquet": root / "parquet", "xlsx": root / "iom.xlsx", "sqlite": root / "iom.db"}


@FUZZ_FILES
@given(st.sampled_from(["parquet", "xlsx", "sqlite"]), st.sampled_from(list(TABLES)),
       st.lists(st.one_of(
           st.tuples(st.just("truncate"), st.just(b""), st.integers(0, 100_000)),
           st.tuples(st.just("overwrite"), st.binary(min_size=1, max_size=16),
                     st.integers(0, 100_000))), min_size=1, max_size=3))
def test_corrupted_binary_files(binary_sources, tmp_path_factory, schema_problems, kind, table,
                                mutations):
    src = binary_sources[kind]
    work = tmp_path_factory.mktemp("fuzzbin")
    if kind == "parquet":
        target_dir = work / "parquet"
        shutil.copytree(src, target_dir)
        target, source = target_dir / f"{table}.parquet", target_dir
    else:
        target = work / src.name
        shutil.copy(src, target)
        source = target if kind == "xlsx" else f"sqlite:///{target}"
    data = target.read_bytes()
    for m in mutations:
        data = mutate(data, m)
    target.write_bytes(data)
    load_outcome(source, schema_problems)


SOURCES = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="x/.", min_size=250, max_size=6000),           # long and deep paths
    st.builds(lambda scheme, rest: f"{scheme}://{rest}",
              st.sampled_from(["sqlite", "sqlite+pysqlite", "postgresql", "mysql", "mssql",
                               "oracle", "duckdb", "nosuch", "", "http", "file"]),
              st.text(max_size=30)),
    st.sampled_from(["", ".", "..", "/", "/dev/null", "/proc", "sqlite://", "sqlite:///",
                     "sqlite:///:memory:", "sqlite:///file:x?mode=memory&uri=true", "a\x00b",
                     "~", "C:\\data\\iom.xlsx", "iom.XLSX", "people.csv"]),
    st.integers(), st.none(), st.binary(max_size=10),
)


@FUZZ
@given(SOURCES)
def test_any_source_string(tmp_path_factory, schema_problems, src):
    """Whatever the user types as a source: a Dataset or a clear error, nothing else."""
    here = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("cwd"))
    try:
        outcome = load_outcome(src, schema_problems)
    finally:
        os.chdir(here)
    assert not isinstance(outcome, Dataset)            # nothing there to load


def test_sqlite_with_odd_column_types(tmp_path, schema_problems):
    """SQL tables whose columns hold mixed types (SQLite allows anything anywhere)."""
    db = tmp_path / "odd.db"
    corpus.write_sqlite(db, BASE_TYPED)
    with sqlite3.connect(db) as con:
        con.execute("UPDATE people SET birth_year = 'nineteen' WHERE person_id = 'P03'")
        con.execute("UPDATE offences SET weapon = 2.5 WHERE offence_id = 'O002'")
        con.execute("UPDATE custody SET start_date = X'00FF' WHERE person_id = 'P02'")
    con.close()
    outcome = load_outcome(f"sqlite:///{db}", schema_problems)
    assert isinstance(outcome, DataValidationError)
    text = "\n".join(str(p) for p in outcome.problems)
    assert "table people row 4, column birth_year: value 'nineteen' is not a whole number" in text
    assert "table offences row 3, column weapon: value '2.5' is not true/false" in text
    assert "table custody row 2, column start_date" in text
