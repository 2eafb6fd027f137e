"""Tests of iomlib.data.sources: reading every kind of source, round trips and unreadable inputs."""
from __future__ import annotations

import shutil
import sqlite3

import pandas as pd
import pytest

from iomlib.data.dataset import Dataset, file_sha256
from iomlib.data.schema import TABLES
from iomlib.data.sources import load_dataset, mask_url, read_tables
from iomlib.data.validate import validate_tables
from iomlib.errors import DataSourceError, DataValidationError

try:
    from test_validate import TODAY, make_raw_tables
except ImportError:  # tests collected as a package
    from tests.test_validate import TODAY, make_raw_tables


@pytest.fixture(scope="module")
def typed() -> dict[str, pd.DataFrame]:
    """The typed tables of the valid example dataset."""
    clean, _, problems = validate_tables(make_raw_tables(), today=TODAY)
    assert problems == []
    return clean


def as_dataset(tables) -> Dataset:
    return Dataset(**{name: tables.get(name) for name in TABLES})


def assert_same_tables(ds: Dataset, expected: dict[str, pd.DataFrame]) -> None:
    got = ds.tables()
    assert set(got) == set(expected)
    for name, df in expected.items():
        pd.testing.assert_frame_equal(got[name], df, check_exact=True, obj=name)


@pytest.fixture
def csv_dir(tmp_path, typed):
    folder = tmp_path / "csv"
    as_dataset(typed).write(folder, "csv")
    return folder


def load(source, **kw):
    kw.setdefault("today", TODAY)
    return load_dataset(source, **kw)


# ---------------------------------------------------------------- round trips


def test_csv_folder_round_trip(csv_dir, typed):
    ds = load(csv_dir)
    assert_same_tables(ds, typed)
    assert ds.source == str(csv_dir)
    assert ds.file_hashes == {p.name: file_sha256(p) for p in csv_dir.iterdir()}
    assert len(ds.file_hashes) == 6
    totals = ds.ledger[ds.ledger.reason == "total"].set_index("table")
    assert totals.loc["offences", "rows_read"] == 80
    assert (totals.rows_read == totals.rows_used + totals.rows_excluded).all()
    # writing the loaded dataset again gives byte-identical files
    again = csv_dir.parent / "again"
    ds.write(again, "csv")
    for p in csv_dir.iterdir():
        assert (again / p.name).read_bytes() == p.read_bytes()


def test_parquet_folder_round_trip(tmp_path, typed):
    as_dataset(typed).write(tmp_path, "parquet")
    ds = load(tmp_path)
    assert_same_tables(ds, typed)
    assert set(ds.file_hashes) == {f"{n}.parquet" for n in TABLES}


def test_excel_round_trip(tmp_path, typed):
    book = tmp_path / "iom.xlsx"
    with pd.ExcelWriter(book) as xw:
        for name, df in typed.items():
            df.to_excel(xw, sheet_name=name, index=False)
    ds = load(book)
    assert_same_tables(ds, typed)
    assert ds.file_hashes == {"iom.xlsx": file_sha256(book)}


def test_excel_row_numbers_are_sheet_rows(tmp_path, typed):
    book = tmp_path / "iom.xlsx"
    with pd.ExcelWriter(book) as xw:
        for name, df in typed.items():
            if name == "people":
                df = df.copy()
                df.loc[4, "sex"] = "Q"
            df.to_excel(xw, sheet_name=name, index=False)
    _, _, problems = validate_tables(read_tables(book)[0], today=TODAY)
    assert str(problems[0]) == ("iom.xlsx sheet people row 6, column sex: value 'Q' is not an "
                                "allowed value; expected one of F, M, X")


def test_sqlite_round_trip(tmp_path, typed):
    db = tmp_path / "iom.db"
    with sqlite3.connect(db) as con:
        for name, df in typed.items():
            df.to_sql(name, con, index=False)
    ds = load(f"sqlite:///{db}")
    assert_same_tables(ds, typed)
    assert ds.source == f"sqlite:///{db}"
    assert ds.file_hashes == {"iom.db": file_sha256(db)}


def test_without_optional_risk_scores(csv_dir, typed):
    (csv_dir / "risk_scores.csv").unlink()
    ds = load(csv_dir)
    assert ds.risk_scores is None
    assert "risk_scores" not in set(ds.ledger.table)


def test_csv_is_read_as_text(csv_dir):
    (csv_dir / "people.csv").write_text("person_id,birth_year,sex,area,force\n"
                                        "007,1980,F,NA,\n", encoding="utf-8")
    tables, meta = read_tables(csv_dir)
    people = tables["people"]
    assert people.loc[0, "person_id"] == "007" and people.loc[0, "area"] == "NA"
    assert people.loc[0, "force"] == "" and people["birth_year"].dtype == object
    assert people.attrs["iom_label"] == "people.csv"
    assert meta["encodings"]["people.csv"] == "utf-8"


# ---------------------------------------------------------------- CSV dialects


def test_bom_csv_loads(csv_dir, typed):
    p = csv_dir / "people.csv"
    p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes())
    tables, _ = read_tables(csv_dir)
    assert tables["people"].columns[0] == "person_id"
    assert_same_tables(load(csv_dir), typed)


def test_latin1_csv_loads_and_is_recorded(csv_dir):
    p = csv_dir / "people.csv"
    text = p.read_text(encoding="utf-8").replace("North", "Bárnsley Nörth")
    p.write_bytes(text.encode("latin-1"))
    _, meta = read_tables(csv_dir)
    assert meta["encodings"]["people.csv"] == "latin-1"
    assert any("people.csv" in n and "Latin-1" in n for n in meta["notes"])
    ds = load(csv_dir)
    assert "Bárnsley Nörth" in set(ds.people["area"])


def test_semicolon_csv_loads(csv_dir, typed):
    p = csv_dir / "offences.csv"
    df = pd.read_csv(p, dtype=str, keep_default_na=False)
    df.to_csv(p, sep=";", index=False)
    assert ";" in p.read_text().splitlines()[0]
    tables, meta = read_tables(csv_dir)
    assert list(tables["offences"].columns) == TABLES["offences"].column_names
    assert any("semicolon" in n for n in meta["notes"])
    assert_same_tables(load(csv_dir), typed)


def test_blank_lines_keep_line_numbers(csv_dir):
    p = csv_dir / "offences.csv"
    lines = p.read_text().splitlines()
    lines[5] = lines[5].replace("2015-", "2015/", 1)      # line 6 of the file
    lines.insert(3, "")                                   # a blank line 4: the bad row moves to 7
    p.write_text("\n".join(lines) + "\n\n")
    clean, _, problems = validate_tables(read_tables(csv_dir)[0], today=TODAY)
    assert [(p.table, p.row, p.column) for p in problems] == [("offences", 7, "offence_date")]
    assert str(problems[0]).startswith("offences.csv row 7, column offence_date: value '2015/")
    assert len(clean["offences"]) == 79


# ---------------------------------------------------------------- validation through the loader


def test_validation_error_lists_the_problems(csv_dir):
    p = csv_dir / "people.csv"
    p.write_text(p.read_text().replace("person_id,birth_year,sex", "person_id,birth_year,gender"))
    with pytest.raises(DataValidationError) as info:
        load(csv_dir)
    msg = str(info.value)
    assert str(csv_dir) in msg
    assert "people.csv, column sex: required column is missing; expected columns" in msg
    assert "people.csv, column gender: is not a column" in msg
    assert any(p.action == "error" and p.column == "sex" for p in info.value.problems)


def test_excluded_rows_pass_unless_strict(csv_dir):
    p = csv_dir / "offences.csv"
    lines = p.read_text().splitlines()
    lines[13] = lines[13].replace(lines[13].split(",")[2], "2019-13-45")   # row 14
    p.write_text("\n".join(lines) + "\n")
    ds = load(csv_dir)
    assert len(ds.offences) == 79
    row = ds.ledger[(ds.ledger.table == "offences") &
                    (ds.ledger.reason == "offence_date is not a date")]
    assert row.rows_excluded.tolist() == [1] and row.rows.tolist() == ["14"]
    with pytest.raises(DataValidationError) as info:
        load(csv_dir, strict=True)
    assert ("offences.csv row 14, column offence_date: value '2019-13-45' is not a date; "
            "expected YYYY-MM-DD") in str(info.value)
    assert "strict mode" in str(info.value).splitlines()[0]
    assert "1 problem (0 errors, 1 excluded-row problem)" in str(info.value)


def test_validation_message_is_short_and_leads_with_one_line_per_column(csv_dir):
    p = csv_dir / "offences.csv"
    df = pd.read_csv(p, dtype=str, keep_default_na=False)
    df["weapon"] = "unknown"
    df.to_csv(p, index=False)
    with pytest.raises(DataValidationError) as info:
        load(csv_dir)
    lines = str(info.value).splitlines()
    # 80 bad rows, plus two errors: too many bad rows, no usable rows
    assert len(info.value.problems) == 82
    assert lines[1] == ("offences.csv, column weapon: 80 of 80 rows: value is not true/false; "
                        "expected true or false (also yes/no, 1/0, t/f, y/n)")
    assert "80 of 80 rows" in lines[2] and "no usable rows" in lines[3]
    assert lines[4] == "First examples:"
    assert lines[5].startswith("  offences.csv row 2, column weapon: value 'unknown'")
    assert lines[8] == "  ... and 77 more row problems"
    assert lines[9] == "How to fix:" and "true/false" in lines[10]


def _british(folder, tables: dict[str, list[str]], fmt: str = "%d/%m/%Y") -> None:
    for table, cols in tables.items():
        p = folder / f"{table}.csv"
        df = pd.read_csv(p, dtype=str, keep_default_na=False)
        for c in cols:
            day = pd.to_datetime(df[c].where(df[c] != ""))
            df[c] = day.dt.strftime(fmt).where(day.notna(), "")
        df.to_csv(p, index=False)


def test_british_dates_give_a_short_message_that_names_the_format(tmp_path):
    from iomlib.data.synth import SynthParams, simulate
    folder, iso_folder = tmp_path / "brit", tmp_path / "iso"
    simulate(SynthParams(n_people=1500)).write(folder)
    simulate(SynthParams(n_people=1500)).write(iso_folder)
    _british(folder, {"offences": ["offence_date"], "custody": ["start_date", "end_date"]})
    n_off = len(pd.read_csv(folder / "offences.csv"))
    assert n_off > 10_000
    with pytest.raises(DataValidationError) as info:
        load_dataset(folder)
    lines = str(info.value).splitlines()
    assert len(lines) < 40
    assert lines[1] == (f"offences.csv, column offence_date: {n_off:,} of {n_off:,} rows: dates "
                        f"look like DD/MM/YYYY; expected YYYY-MM-DD")
    assert lines[2].startswith("custody.csv, column start_date: ")
    assert lines[3].startswith("custody.csv, column end_date: ")
    assert any(ln.startswith("  offences.csv row 2, column offence_date: value '") for ln in lines)
    assert any("more row problems" in ln for ln in lines)
    assert any("--dayfirst" in ln for ln in lines)
    ds = load_dataset(folder, dayfirst=True)            # the opt-in reads them, every row
    iso = load_dataset(iso_folder)
    assert ds.ledger.equals(iso.ledger)
    assert ds.offences["offence_date"].equals(iso.offences["offence_date"])
    assert ds.custody["end_date"].equals(iso.custody["end_date"])


@pytest.mark.parametrize("values, shape", [
    (["14/03/2019", "01/02/2019"], "DD/MM/YYYY"),
    (["03/14/2019", "01/02/2019"], "MM/DD/YYYY"),
    (["03/04/2019", "01/02/2019"], "DD/MM/YYYY or MM/DD/YYYY"),
    (["14.03.2019"], "DD.MM.YYYY"),
    (["14-03-19"], "DD-MM-YY"),
    (["2019/03/14"], "YYYY/MM/DD"),
    (["43538"], "Excel day numbers"),
    (["14 Mar 2019"], "day and month name"),
    (["soon", "later"], None),
])
def test_date_shape(values, shape):
    from iomlib.data.summary import date_shape
    got = date_shape(values)
    assert (got is None) if shape is None else got.startswith(shape)


def test_dayfirst_reads_day_first_dates_only(csv_dir):
    p = csv_dir / "offences.csv"
    lines = p.read_text().splitlines()
    first = lines[1].split(",")[2]
    y, m, d = first.split("-")
    lines[1] = lines[1].replace(first, f"{int(d)}.{int(m)}.{y}")          # 1-digit day first
    lines[2] = lines[2].replace(lines[2].split(",")[2], "03/14/2019")     # month first
    p.write_text("\n".join(lines) + "\n")
    ds = load(csv_dir, dayfirst=True)
    assert ds.offences["offence_date"].iloc[0] == pd.Timestamp(first)
    assert len(ds.offences) == 79
    row = ds.ledger[(ds.ledger.table == "offences") & (ds.ledger.reason != "total")]
    assert row.reason.tolist() == ["offence_date is not a date"] and row.rows.tolist() == ["3"]
    with pytest.raises(DataValidationError) as info:
        load(csv_dir, strict=True, dayfirst=True)
    assert ("value '03/14/2019' is not a date; expected YYYY-MM-DD or DD/MM/YYYY (day first"
            in str(info.value))
    assert "--dayfirst" not in str(info.value)                    # already asked for
    assert len(load(csv_dir).offences) == 78                      # without it: both set aside


def test_y_n_booleans_are_read_in_csv_and_excel(csv_dir, tmp_path):
    p = csv_dir / "offences.csv"
    df = pd.read_csv(p, dtype=str, keep_default_na=False)
    expected = df["weapon"].eq("true")
    df["weapon"] = expected.map({True: "Y", False: "N"})
    df["domestic"] = df["domestic"].map({"true": "Yes", "false": "no"})
    df.to_csv(p, index=False)
    ds = load(csv_dir, strict=True)
    assert ds.offences["weapon"].tolist() == expected.tolist()
    book = tmp_path / "yn.xlsx"
    tables, _ = read_tables(csv_dir)
    with pd.ExcelWriter(book) as xw:
        for name, t in tables.items():
            t.to_excel(xw, sheet_name=name, index=False)
    ds2 = load(book, strict=True)
    assert ds2.offences["weapon"].tolist() == expected.tolist()


def test_empty_people_table_is_a_validation_error(csv_dir):
    (csv_dir / "people.csv").write_text("person_id,birth_year,sex,area,force\n")
    with pytest.raises(DataValidationError) as info:
        load(csv_dir)
    assert "people.csv: table is empty; expected at least one data row" in str(info.value)


# ---------------------------------------------------------------- unreadable sources


def source_error(source) -> str:
    with pytest.raises(DataSourceError) as info:
        read_tables(source)
    return str(info.value)


def test_missing_folder(tmp_path):
    msg = source_error(tmp_path / "nowhere")
    assert "nowhere" in msg and "does not exist" in msg


def test_missing_required_file(csv_dir):
    (csv_dir / "custody.csv").unlink()
    (csv_dir / "episodes.csv").unlink()
    msg = source_error(csv_dir)
    assert "missing episodes.csv, custody.csv" in msg and "people.csv" in msg


def test_csv_and_parquet_for_one_table(csv_dir, typed):
    typed["people"].to_parquet(csv_dir / "people.parquet")
    assert "both people.csv and people.parquet" in source_error(csv_dir)


def test_empty_file(csv_dir):
    (csv_dir / "custody.csv").write_bytes(b"")
    msg = source_error(csv_dir)
    assert "custody.csv is empty" in msg and "person_id, start_date, end_date" in msg


def test_malformed_csv(csv_dir):
    with open(csv_dir / "custody.csv", "a") as fh:
        fh.write("P0001,2017-01-01,2017-02-01,short,extra,fields\n")
    msg = source_error(csv_dir)
    assert "custody.csv cannot be parsed as CSV" in msg


def test_truncated_parquet(tmp_path, typed):
    as_dataset(typed).write(tmp_path, "parquet")
    p = tmp_path / "offences.parquet"
    p.write_bytes(p.read_bytes()[:200])
    msg = source_error(tmp_path)
    assert "offences.parquet is not a readable Parquet file" in msg and "truncated" in msg
    (tmp_path / "episodes.parquet").write_bytes(b"")
    assert "episodes.parquet is empty" in source_error(tmp_path)


def test_missing_excel_sheet(tmp_path, typed):
    book = tmp_path / "iom.xlsx"
    with pd.ExcelWriter(book) as xw:
        for name, df in typed.items():
            if name != "custody":
                df.to_excel(xw, sheet_name=name, index=False)
    msg = source_error(book)
    assert "no sheet named 'custody'" in msg
    assert "sheets found: 'people', 'episodes', 'offences', 'idva_survey', 'risk_scores'" in msg


def test_corrupt_excel_and_unknown_file_type(tmp_path):
    book = tmp_path / "broken.xlsx"
    book.write_bytes(b"not a zip file")
    assert "broken.xlsx is not a readable .xlsx workbook" in source_error(book)
    other = tmp_path / "data.json"
    other.write_text("{}")
    msg = source_error(other)
    assert "data.json" in msg and "unknown kind of source" in msg


def test_bad_sql_urls(tmp_path, typed):
    msg = source_error(f"sqlite:///{tmp_path / 'absent.db'}")
    assert "absent.db does not exist" in msg
    assert not (tmp_path / "absent.db").exists()          # no empty database was created
    assert "nosuchdialect://host/db" in source_error("nosuchdialect://host/db")
    db = tmp_path / "partial.db"
    with sqlite3.connect(db) as con:
        typed["people"].to_sql("people", con, index=False)
    msg = source_error(f"sqlite:///{db}")
    assert "no database table named 'episodes', 'offences', 'custody', 'idva_survey'" in msg
    assert "tables found: people" in msg
    notdb = tmp_path / "notdb.db"
    notdb.write_text("hello, I am not a database " * 100)
    assert "cannot read the database" in source_error(f"sqlite:///{notdb}")


def test_password_is_masked():
    url = "postgresql://analyst:s3cret@127.0.0.1:1/iom"
    assert mask_url(url) == "postgresql://analyst:***@127.0.0.1:1/iom"
    with pytest.raises(DataSourceError) as info:
        read_tables(url)
    assert "s3cret" not in str(info.value) and "analyst:***@127.0.0.1" in str(info.value)


def test_dataset_folder_with_extra_files(csv_dir, typed):
    shutil.copy(csv_dir / "people.csv", csv_dir / "people_backup.csv")
    (csv_dir / "README.txt").write_text("notes")
    ds = load(csv_dir)
    assert_same_tables(ds, typed)
    assert "people_backup.csv" not in ds.file_hashes


def test_default_dataset_callers_get_their_own_copy():
    from iomlib.data.open import default_dataset, open_dataset
    first = default_dataset()
    pristine = first.episodes.copy()
    first.episodes.loc[first.episodes.index[0], "cohort"] = "CHANGED"
    first.offences.drop(first.offences.index, inplace=True)
    first.file_hashes["x"] = "y"
    for again in (default_dataset(), open_dataset()):
        assert again is not first
        pd.testing.assert_frame_equal(again.episodes, pristine)
        assert len(again.offences) and "x" not in again.file_hashes


def test_dataset_copy_is_independent_and_equal(typed):
    ds = as_dataset(typed)
    c = ds.copy()
    for name, table in ds.tables().items():
        pd.testing.assert_frame_equal(c.table(name), table)
        assert c.table(name) is not table
    c.people.loc[c.people.index[0], "person_id"] = "ZZZ"
    assert ds.people["person_id"].iloc[0] != "ZZZ"
