"""Write the bad-input corpus next to this file (deterministic: run it again, get the same files).

Usage::

    .venv/bin/python tests/data/bad/make_corpus.py [OUT_DIR]

(default ``OUT_DIR``: this directory; ``tests/test_bad_inputs.py`` regenerates the corpus into a
temporary folder and checks that the committed files are identical.)

Every entry is a tiny dataset that is valid except for **one** defect. The tables are small (10
people, 10 episodes, 12 offences, 4 custody spells, 4 survey rows, 5 risk scores), so that one
bad row is more than the 5 % of a table that ``load_dataset`` tolerates: every entry marked
``error`` in ``EXPECTED.csv`` must be refused even with ``strict=False`` / ``--lenient``.
Entries marked ``excluded`` are usable once the bad rows are excluded (``iom validate`` refuses
them, ``iom validate --lenient`` and ``load_dataset(strict=False)`` accept them, with the bad rows
in the ledger); ``ok`` entries are valid despite looking odd.

``EXPECTED.csv`` columns:

``name``
    the entry (a folder, file or URL of this directory);
``input``
    what to give ``iom validate``: a path relative to this directory, or a URL in which
    ``{dir}`` stands for this directory's absolute path;
``outcome``
    ``error``, ``excluded`` or ``ok`` (see above);
``words``
    ``" | "``-separated fragments the message must contain (file/table, row, column, what was
    expected);
``defect``
    what is wrong, in words.

This script does not import ``iomlib``: the corpus is defined independently of the code it
tests.
"""
from __future__ import annotations

import csv
import io
import shutil
import sqlite3
import sys
import zipfile
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
OUT = HERE                                  # where main() writes
FIXED_TIME = (2020, 1, 1, 0, 0, 0)

# ------------------------------------------------------------------------------------------
# the valid base dataset, as text rows

COLUMNS = {
    "people": ["person_id", "birth_year", "sex", "area", "force"],
    "episodes": ["episode_id", "person_id", "cohort", "adopted_on", "removed_on",
                 "removal_reason"],
    "offences": ["offence_id", "person_id", "offence_date", "offence_code", "offence_category",
                 "weapon", "domestic", "victim_id"],
    "custody": ["person_id", "start_date", "end_date", "sentence_kind"],
    "idva_survey": ["survivor_id", "person_id", "referred_on", "responded", "responded_on",
                    "felt_safer", "risk_reduced", "quality_of_life"],
    "risk_scores": ["person_id", "score_date", "score"],
}
CATEGORIES = ["burglary", "robbery", "vehicle", "theft", "shoplifting", "violence",
              "domestic_abuse", "drugs", "weapons", "criminal_damage", "public_order", "other"]


def base(n_people: int = 10, n_offences: int = 12) -> dict[str, list[list[str]]]:
    """The valid tables as lists of text rows (no header)."""
    people = [[f"P{i:02d}", str(1960 + i), "FMX"[i % 3] if i % 4 else "M",
               ("North", "South", "East")[i % 3], ""] for i in range(1, n_people + 1)]
    episodes = []
    for i in range(1, n_people + 1):
        adopted = f"2017-{1 + i % 12:02d}-{10 + i % 15:02d}"
        closed = i % 2 == 0
        episodes.append([f"E{i:02d}", f"P{i:02d}", ("IOM", "DVIOM", "KNIFE")[i % 3], adopted,
                         f"2018-{1 + i % 12:02d}-{12 + i % 15:02d}" if closed else "",
                         ("reduced_risk", "moved_away", "other")[i % 3] if closed else ""])
    offences = []
    for i in range(1, n_offences + 1):
        cat = CATEGORIES[i % len(CATEGORIES)]
        offences.append([f"O{i:03d}", f"P{1 + (i * 7) % n_people:02d}",
                         f"{2015 + i % 5}-{1 + i % 12:02d}-{1 + i % 28:02d}", f"{10 + i}A", cat,
                         "true" if cat in ("weapons", "robbery") else "false",
                         "true" if cat == "domestic_abuse" else "false",
                         f"V{i:03d}" if i % 3 else ""])
    custody = [["P02", "2016-03-01", "2016-06-01", "short"],
               ["P03", "2017-05-10", "2017-05-20", "remand"],
               ["P05", "2018-01-15", "2019-07-15", "long"],
               ["P08", "2019-02-01", "2019-04-01", "short"]]
    survey = [["S01", "P03", "2018-03-01", "true", "2018-04-10", "yes", "4", "5"],
              ["S02", "P06", "2018-06-01", "true", "2018-07-02", "no", "2", "3"],
              ["S03", "P09", "2019-01-10", "false", "", "", "", ""],
              ["S04", "P03", "2019-05-05", "true", "2019-06-01", "unsure", "3", "3"]]
    risk = [[f"P{i:02d}", f"2018-0{i}-01", f"{1.5 * i:.1f}"] for i in range(1, 6)]
    return {"people": people, "episodes": episodes, "offences": offences, "custody": custody,
            "idva_survey": survey, "risk_scores": risk}


def csv_text(header: list[str], rows: list[list[str]], sep: str = ",") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def write_folder(name: str, tables: dict | None = None, *, skip=(), raw: dict | None = None,
                 headers: dict | None = None) -> Path:
    """A folder of CSV files; ``raw`` = {file name: bytes or str} written as given."""
    folder = OUT / name
    folder.mkdir()
    tables = base() if tables is None else tables
    headers = headers or {}
    for t, rows in tables.items():
        if t in skip:
            continue
        (folder / f"{t}.csv").write_text(csv_text(headers.get(t, COLUMNS[t]), rows),
                                         encoding="utf-8", newline="")
    for fname, data in (raw or {}).items():
        p = folder / fname
        if isinstance(data, bytes):
            p.write_bytes(data)
        else:
            p.write_text(data, encoding="utf-8", newline="")
    return folder


def frames(tables: dict) -> dict[str, pd.DataFrame]:
    return {t: pd.DataFrame(rows, columns=COLUMNS[t]) for t, rows in tables.items()}


def typed(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Typed columns, as a real Parquet/Excel/SQL export would hold them."""
    df = df.copy()
    for c in df.columns:
        if c.endswith(("_on", "_date")):
            df[c] = pd.to_datetime(df[c].where(df[c] != ""), format="%Y-%m-%d")
        elif c in ("weapon", "domestic", "responded"):
            df[c] = df[c] == "true"
        elif c in ("risk_reduced", "quality_of_life"):
            df[c] = pd.to_numeric(df[c].where(df[c] != "")).astype("Int64")
        elif c == "score":
            df[c] = df[c].astype(float)
        elif c == "birth_year" and df[c].str.fullmatch(r"\d+").all():
            df[c] = df[c].astype("int64")
        else:
            df[c] = df[c].where(df[c] != "", None)
    return df


def write_workbook(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    """An .xlsx file with fixed document properties and zip times (byte-stable)."""
    from openpyxl import Workbook
    from openpyxl.utils.dataframe import dataframe_to_rows
    wb = Workbook()
    wb.remove(wb.active)
    for name, df in sheets.items():
        ws = wb.create_sheet(name)
        for row in dataframe_to_rows(df, index=False, header=True):
            ws.append([None if v is None or (not isinstance(v, str) and pd.isna(v)) else
                       (v.to_pydatetime() if isinstance(v, pd.Timestamp) else v) for v in row])
    stamp = pd.Timestamp("2020-01-01").to_pydatetime()
    wb.properties.created = wb.properties.modified = stamp
    wb.properties.creator = "make_corpus.py"
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":   # openpyxl stamps "modified" on save
                data = _fix_core_times(data)
            zi = zipfile.ZipInfo(info.filename, FIXED_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, data)


def _fix_core_times(xml: bytes) -> bytes:
    import re
    return re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
                  rb"\g<1>2020-01-01T00:00:00Z\g<3>", xml)


def write_sqlite(path: Path, sheets: dict[str, pd.DataFrame]) -> None:
    with sqlite3.connect(path) as con:
        for name, df in sheets.items():
            out = df.copy()
            for c in out.columns:
                if pd.api.types.is_datetime64_any_dtype(out[c]):
                    out[c] = out[c].dt.strftime("%Y-%m-%d")
            out.to_sql(name, con, index=False)
    con.close()


# ------------------------------------------------------------------------------------------
# the entries

ENTRIES: list[dict] = []


def entry(name: str, outcome: str, words: list[str], defect: str, input_: str | None = None):
    ENTRIES.append({"name": name, "input": input_ or name, "outcome": outcome,
                    "words": " | ".join(words), "defect": defect})


def changed(table: str, row: int, column: str, value: str, tables: dict | None = None) -> dict:
    """The base tables with one value replaced; ``row`` is the file row (header = 1)."""
    t = tables or base()
    t[table][row - 2][COLUMNS[table].index(column)] = value
    return t


def make_folders() -> None:
    # --- structure
    t = base()
    hdr = [c for c in COLUMNS["people"] if c != "sex"]
    t["people"] = [[v for c, v in zip(COLUMNS["people"], r) if c != "sex"] for r in t["people"]]
    write_folder("missing_column", t, headers={"people": hdr})
    entry("missing_column", "error",
          ["people.csv, column sex", "required column is missing",
           "expected columns person_id, birth_year, sex, area, force"],
          "people.csv has no sex column")

    hdr = ["date" if c == "offence_date" else c for c in COLUMNS["offences"]]
    write_folder("renamed_column", headers={"offences": hdr})
    entry("renamed_column", "error",
          ["offences.csv, column offence_date", "required column is missing",
           "offences.csv, column date", "is not a column of the data model"],
          "offences.csv calls offence_date 'date'")

    t = base()
    t["people"] = [r + [r[2]] for r in t["people"]]
    write_folder("repeated_column", t, headers={"people": COLUMNS["people"] + ["sex"]})
    entry("repeated_column", "error", ["people.csv, column sex", "appears more than once",
                                       "each column once"],
          "people.csv has the sex column twice")

    write_folder("missing_file", skip=("custody",))
    entry("missing_file", "error", ["missing custody.csv", "expected one file per table",
                                    "files found: episodes.csv"],
          "custody.csv is absent")

    t = base()
    write_folder("misnamed_file", t, skip=("offences",),
                 raw={"offence.csv": csv_text(COLUMNS["offences"], t["offences"])})
    entry("misnamed_file", "error", ["missing offences.csv",
                                     "'offence.csv' may be the offences table",
                                     "names must match exactly"],
          "offences.csv is called offence.csv")

    (OUT / "empty_folder").mkdir()
    (OUT / "empty_folder" / ".keep").write_text("")
    entry("empty_folder", "error", [("empty_folder: missing people.csv, episodes.csv, "
                                     "offences.csv, custody.csv, idva_survey.csv")],
          "a folder with no data files")

    folder = write_folder("csv_and_parquet")
    typed(frames(base())["people"], "people").to_parquet(folder / "people.parquet", index=False)
    entry("csv_and_parquet", "error", ["both people.csv and people.parquet exist",
                                       "exactly one file for table 'people'"],
          "people given twice, as CSV and as Parquet")

    # --- empty inputs
    write_folder("empty_file", raw={"custody.csv": b""}, skip=("custody",))
    entry("empty_file", "error", ["custody.csv is empty",
                                  ("expected a header line with the columns person_id, "
                                   "start_date, end_date, sentence_kind")],
          "custody.csv has zero bytes")

    write_folder("blank_lines_file", raw={"people.csv": "\n\n  \n\n"}, skip=("people",))
    entry("blank_lines_file", "error", ["people.csv is empty",
                                        "the columns person_id, birth_year, sex"],
          "people.csv holds only blank lines")

    t = base()
    t["offences"] = []
    write_folder("header_only_table", t)
    entry("header_only_table", "error", ["offences.csv: table is empty",
                                         "expected at least one data row below the header"],
          "offences.csv has a header and no rows")

    # --- unreadable CSV
    t = base()
    rows = csv_text(COLUMNS["custody"], t["custody"]).splitlines()
    rows.insert(3, "P04,2017-01-01,2017-02-01,short,extra,fields")
    write_folder("ragged_row", t, skip=("custody",), raw={"custody.csv": "\n".join(rows) + "\n"})
    entry("ragged_row", "error", ["custody.csv cannot be parsed as CSV", "line 4",
                                  "the same number of fields"],
          "custody.csv line 4 has six fields, not four")

    t = base()
    text = csv_text(COLUMNS["offences"], t["offences"]).replace("O005,", '"O005,', 1)
    write_folder("unterminated_quote", t, skip=("offences",), raw={"offences.csv": text})
    entry("unterminated_quote", "error", ["offences.csv cannot be parsed as CSV",
                                          "expected a header line with the columns offence_id"],
          "a quote in offences.csv is never closed")

    blob = bytes((i * 97 + 13) % 256 for i in range(600))     # deterministic "random" bytes
    write_folder("binary_file", raw={"people.csv": blob}, skip=("people",))
    entry("binary_file", "error", ["people.csv is not a text file", "NUL bytes"],
          "people.csv holds binary data")

    # --- wrong types and impossible values (one row each; 1 row of 4..12 is over 5 %)
    cases = [
        ("wrong_type_int", "people", 4, "birth_year", "nineteen-eighty",
         ["people.csv row 4, column birth_year", "'nineteen-eighty' is not a whole number",
          "expected a whole number from 1900 to 2030"], "birth_year is text"),
        ("wrong_type_bool", "offences", 7, "weapon", "maybe",
         ["offences.csv row 7, column weapon", "'maybe' is not true/false",
          "expected true or false"], "weapon is neither true nor false"),
        ("wrong_type_float", "risk_scores", 3, "score", "high",
         ["risk_scores.csv row 3, column score", "'high' is not a number",
          "expected a number of at least 0"], "a risk score is a word"),
        ("unparseable_date", "offences", 5, "offence_date", "14/03/2019",
         ["offences.csv row 5, column offence_date", "'14/03/2019' is not a date",
          "expected YYYY-MM-DD"], "a day-first date"),
        ("impossible_date", "episodes", 6, "adopted_on", "2019-02-30",
         ["episodes.csv row 6, column adopted_on", "'2019-02-30' is not a date",
          "expected YYYY-MM-DD"], "30 February"),
        ("future_date", "offences", 9, "offence_date", "2999-01-01",
         ["offences.csv row 9, column offence_date", "'2999-01-01' is in the future",
          "expected a date no later than today"], "an offence in 2999"),
        ("date_before_1900", "custody", 3, "start_date", "1850-06-01",
         ["custody.csv row 3, column start_date", "'1850-06-01' is before 1900",
          "expected a date on or after 1900-01-01"], "a custody spell in 1850"),
        ("birth_year_1066", "people", 8, "birth_year", "1066",
         ["people.csv row 8, column birth_year", "'1066' is out of range",
          "from 1900 to 2030"], "born in 1066"),
        ("likert_9", "idva_survey", 3, "risk_reduced", "9",
         ["idva_survey.csv row 3, column risk_reduced", "'9' is out of range",
          "expected a whole number from 1 to 5"], "a Likert answer of 9 on a 1-5 scale"),
        ("likert_decimal", "idva_survey", 2, "quality_of_life", "3.5",
         ["idva_survey.csv row 2, column quality_of_life", "'3.5' is not a whole number"],
         "a Likert answer of 3.5"),
        ("bad_category", "people", 5, "sex", "Q",
         ["people.csv row 5, column sex", "'Q' is not an allowed value",
          "expected one of F, M, X"], "sex Q"),
        ("unknown_offence_category", "offences", 11, "offence_category", "arson",
         ["offences.csv row 11, column offence_category",
          "'arson' is not a known offence category",
          "an offence category of the severity table"], "arson is not configured"),
        ("unknown_cohort", "episodes", 2, "cohort", "GANG",
         ["episodes.csv row 2, column cohort", "'GANG' is not an allowed value",
          "one of IOM, DVIOM, KNIFE"], "cohort GANG"),
        ("missing_required_value", "people", 6, "area", "",
         ["people.csv row 6, column area", "value is missing", "expected non-empty text"],
         "an empty area"),
        ("empty_identifier", "offences", 4, "offence_id", "",
         ["offences.csv row 4, column offence_id", "value is missing",
          "expected an identifier"], "an offence without an identifier"),
    ]
    for name, table, row, col, value, words, defect in cases:
        write_folder(name, changed(table, row, col, value))
        entry(name, "error", words + [f"of {len(base()[table])} rows"], defect)

    # --- impossible date order
    order = [
        ("removal_before_adoption", "episodes", 3, "removed_on", "2016-01-01",
         ["episodes.csv row 3, column removed_on", "'2016-01-01' is before adopted_on",
          "expected a date on or after adopted_on (2017-03-12)"], "removed before adopted"),
        ("custody_end_before_start", "custody", 4, "end_date", "2018-01-01",
         ["custody.csv row 4, column end_date", "'2018-01-01' is before start_date",
          "on or after start_date (2018-01-15)"], "released before taken into custody"),
        ("response_before_referral", "idva_survey", 3, "responded_on", "2018-05-01",
         ["idva_survey.csv row 3, column responded_on", "is before referred_on",
          "on or after referred_on (2018-06-01)"], "answered before being referred"),
    ]
    for name, table, row, col, value, words, defect in order:
        write_folder(name, changed(table, row, col, value))
        entry(name, "error", words + [f"1 of {len(base()[table])} rows"], defect)

    # --- keys and references
    write_folder("duplicate_person_id", changed("people", 7, "person_id", "P02"))
    entry("duplicate_person_id", "error",
          ["people.csv row 7, column person_id", "'P02' is a duplicate",
           "each person_id once (first seen in row 3)"], "P02 appears twice in people")

    write_folder("duplicate_offence_id", changed("offences", 12, "offence_id", "O003"))
    entry("duplicate_offence_id", "error",
          ["offences.csv row 12, column offence_id", "'O003' is a duplicate",
           "first seen in row 4", "1 of 12 rows"], "O003 appears twice")

    t = base()
    for row, pid in ((3, "P77"), (8, "Q01"), (12, "P77")):
        t = changed("offences", row, "person_id", pid, t)
    write_folder("unknown_people", t)
    entry("unknown_people", "error",
          ["offences.csv row 3, column person_id", "'P77' is not in people",
           "offences.csv row 12", "3 of 12 rows (25%)",
           "the person_id values may not match people.person_id"],
          "3 of 12 offences are for people not in people.csv")

    t = base()
    t["people"] = [r[:2] + ["?"] + r[3:] for r in t["people"]]
    write_folder("no_usable_rows", t)
    entry("no_usable_rows", "error", ["people.csv: no usable rows: all 10 rows were excluded",
                                      "people.csv row 2, column sex"],
          "every person has an invalid sex")

    # --- encodings and dialects, each with one defect
    t = changed("people", 5, "sex", "Q")
    folder = write_folder("bom_defect", t, skip=("people",))
    (folder / "people.csv").write_bytes(b"\xef\xbb\xbf" + csv_text(COLUMNS["people"],
                                                                   t["people"]).encode())
    entry("bom_defect", "error", ["people.csv row 5, column sex", "'Q' is not an allowed value"],
          "UTF-8 with a byte-order mark; sex Q in row 5")

    t = base()
    for r in t["people"]:
        r[3] = {"North": "Bárnsley Nörth", "South": "Añfield", "East": "Éast"}[r[3]]
    t = changed("people", 3, "sex", "É", t)
    folder = write_folder("latin1_defect", t, skip=("people",))
    (folder / "people.csv").write_bytes(csv_text(COLUMNS["people"], t["people"])
                                        .encode("latin-1"))
    entry("latin1_defect", "error", ["people.csv row 3, column sex",
                                     "'É' is not an allowed value"],
          "Latin-1 encoded; sex É in row 3")

    t = changed("offences", 10, "weapon", "perhaps")
    folder = write_folder("semicolon_defect", t, skip=("offences",))
    (folder / "offences.csv").write_text(csv_text(COLUMNS["offences"], t["offences"], ";"),
                                         encoding="utf-8", newline="")
    entry("semicolon_defect", "error", ["offences.csv row 10, column weapon",
                                        "'perhaps' is not true/false"],
          "semicolon-separated; weapon 'perhaps' in row 10")


def make_files() -> None:
    # --- Parquet
    folder = OUT / "truncated_parquet"
    folder.mkdir()
    for name, df in frames(base()).items():
        typed(df, name).to_parquet(folder / f"{name}.parquet", index=False)
    p = folder / "offences.parquet"
    p.write_bytes(p.read_bytes()[:300])
    entry("truncated_parquet", "error", ["offences.parquet is not a readable Parquet file",
                                         "truncated or corrupt"],
          "offences.parquet cut short at 300 bytes")

    folder = OUT / "parquet_wrong_type"
    folder.mkdir()
    t = changed("people", 4, "birth_year", "abc")
    for name, df in frames(t).items():
        typed(df, name).to_parquet(folder / f"{name}.parquet", index=False)
    entry("parquet_wrong_type", "error", ["people.parquet row 4, column birth_year",
                                          "'abc' is not a whole number"],
          "people.parquet holds birth_year as text, one value not a number")

    # --- Excel
    sheets = {n: typed(df, n) for n, df in frames(base()).items()}
    write_workbook(OUT / "excel_missing_sheet.xlsx",
                   {n: df for n, df in sheets.items() if n != "custody"})
    entry("excel_missing_sheet", "error",
          ["excel_missing_sheet.xlsx: no sheet named 'custody'",
           "sheets found: 'people', 'episodes', 'offences', 'idva_survey', 'risk_scores'"],
          "the workbook has no custody sheet", "excel_missing_sheet.xlsx")

    write_workbook(OUT / "excel_renamed_sheet.xlsx",
                   {("Custody spells" if n == "custody" else n): df for n, df in sheets.items()})
    entry("excel_renamed_sheet", "error",
          ["no sheet named 'custody'", "'Custody spells' may be the custody sheet"],
          "the custody sheet is called 'Custody spells'", "excel_renamed_sheet.xlsx")

    write_workbook(OUT / "excel_case_sheet.xlsx",
                   {("People" if n == "people" else n): df for n, df in sheets.items()})
    entry("excel_case_sheet", "error",
          ["no sheet named 'people'", "'People' may be the people sheet"],
          "the people sheet is called 'People'", "excel_case_sheet.xlsx")

    bad = dict(sheets)
    off = bad["offences"].copy().astype({"weapon": object})
    off.loc[5, "weapon"] = "maybe"
    bad["offences"] = off
    write_workbook(OUT / "excel_defect.xlsx", bad)
    entry("excel_defect", "error", ["excel_defect.xlsx sheet offences row 7, column weapon",
                                    "'maybe' is not true/false"],
          "weapon 'maybe' in sheet offences, row 7", "excel_defect.xlsx")

    empty = dict(sheets)
    empty["people"] = pd.DataFrame()
    write_workbook(OUT / "excel_empty_sheet.xlsx", empty)
    entry("excel_empty_sheet", "error", ["excel_empty_sheet.xlsx, sheet 'people' is empty",
                                         "expected a header row with the columns person_id"],
          "the people sheet is blank", "excel_empty_sheet.xlsx")

    (OUT / "excel_corrupt.xlsx").write_bytes(b"PK\x03\x04 this is not really a workbook")
    entry("excel_corrupt", "error", ["excel_corrupt.xlsx is not a readable .xlsx workbook"],
          "not a zip archive", "excel_corrupt.xlsx")

    # --- SQL
    (OUT / "sql_not_a_database.db").write_text("hello, I am not a database\n" * 50)
    entry("sql_not_a_database", "error", ["sql_not_a_database.db",
                                          "cannot read the database"],
          "an SQLite URL to a text file", "sqlite:///{dir}/sql_not_a_database.db")

    write_sqlite(OUT / "sql_missing_table.db", {"people": sheets["people"]})
    entry("sql_missing_table", "error",
          ["no database table named 'episodes', 'offences', 'custody', 'idva_survey'",
           "tables found: people"], "the database has only the people table",
          "sqlite:///{dir}/sql_missing_table.db")

    t = changed("custody", 5, "end_date", "2019-01-01")
    write_sqlite(OUT / "sql_defect.db", {n: typed(df, n) for n, df in frames(t).items()})
    entry("sql_defect", "error", ["table custody row 5, column end_date",
                                  "'2019-01-01' is before start_date"],
          "custody end before start in an SQLite table", "sqlite:///{dir}/sql_defect.db")

    entry("sql_missing_file", "error", ["sql_missing_file.db does not exist"],
          "an SQLite URL to a file that does not exist", "sqlite:///{dir}/sql_missing_file.db")
    entry("sql_unreachable", "error", ["postgresql://nobody@127.0.0.1:1/x"],
          "a PostgreSQL server that is not there (must fail within seconds)",
          "postgresql://nobody@127.0.0.1:1/x")
    entry("sql_bad_port", "error", ["is not a valid SQLAlchemy URL", "postgresql://"],
          "a port that is not a number", "postgresql://nobody@127.0.0.1:port/x")
    entry("sql_unknown_dialect", "error", ["nosuchdb://host/db",
                                           "unknown kind of database 'nosuchdb'"],
          "no such kind of database", "nosuchdb://host/db")

    # --- paths
    entry("nonexistent_path", "error", ["no_such_folder does not exist",
                                        "expected a folder of <table>.csv"],
          "a path that does not exist", "no_such_folder")
    (OUT / "unknown_kind.json").write_text("{}\n")
    entry("unknown_kind", "error", ["unknown_kind.json: unknown kind of source",
                                    "suffix '.json'"], "a JSON file", "unknown_kind.json")
    entry("single_csv_file", "error", ["is a single table", "give the folder that holds it"],
          "one table's file instead of the folder", "missing_file/people.csv")


def make_usable() -> None:
    """Entries that load (some rows excluded) or are valid though unusual."""
    t = base(n_people=40, n_offences=200)
    t = changed("offences", 30, "person_id", "P98", t)
    t = changed("offences", 90, "person_id", "P99", t)
    t = changed("offences", 150, "person_id", "X01", t)
    t = changed("people", 9, "sex", "?", t)           # P08 is unusable: its rows cascade
    t = changed("episodes", 21, "removed_on", "2015-01-01", t)
    write_folder("usable_with_exclusions", t)
    entry("usable_with_exclusions", "excluded",
          ["offences.csv row 30, column person_id", "'P98' is not in people",
           "people.csv row 9, column sex", "episodes.csv row 21, column removed_on",
           "refers to a people row that was excluded"],
          "3 of 200 offences for unknown people, one person with a bad sex (their rows go "
          "too), one episode removed before adoption")

    t = base()
    t["people"] = [r + [f"nick{i}"] for i, r in enumerate(t["people"])]
    write_folder("usable_extra_column", t, headers={"people": COLUMNS["people"] + ["nickname"]})
    entry("usable_extra_column", "ok", ["valid"], "people.csv has an extra column (ignored)")

    t = base()
    folder = write_folder("usable_utf16_tabs", t, skip=("people",))
    (folder / "people.csv").write_bytes(csv_text(COLUMNS["people"], t["people"], "\t")
                                        .encode("utf-16"))
    entry("usable_utf16_tabs", "ok", ["valid"],
          "people.csv as Excel's 'Unicode text' export: UTF-16, tab-separated")


def _day_first(iso: str, sep: str = "/") -> str:
    """``YYYY-MM-DD`` written day first, as a British spreadsheet does (empty stays empty)."""
    if not iso:
        return iso
    y, m, d = iso.split("-")
    return f"{d}{sep}{m}{sep}{y}"


def _yes_no(text: str) -> str:
    return {"true": "Y", "false": "N"}.get(text, text)


def make_formats() -> None:
    """British dates (refused unless day-first is asked for) and Y/N booleans (accepted)."""
    t = base()
    i = COLUMNS["offences"].index("offence_date")
    for r in t["offences"]:
        r[i] = _day_first(r[i])
    write_folder("british_dates", t)
    entry("british_dates", "error",
          ["offences.csv, column offence_date: 12 of 12 rows: dates look like DD/MM/YYYY; "
           "expected YYYY-MM-DD", "offences.csv row 2, column offence_date",
           "'02/02/2016' is not a date", "--dayfirst"],
          "every offence_date written DD/MM/YYYY (iom validate --dayfirst reads it)")

    sheets = {n: typed(df, n) for n, df in frames(base()).items()}
    ep = sheets["episodes"].copy()
    for c in ("adopted_on", "removed_on"):           # text cells, as typed in by hand
        ep[c] = ep[c].map(lambda d: None if pd.isna(d) else d.strftime("%d/%m/%Y"))
    sheets["episodes"] = ep
    write_workbook(OUT / "excel_british_dates.xlsx", sheets)
    entry("excel_british_dates", "error",
          ["excel_british_dates.xlsx sheet episodes, column adopted_on: 10 of 10 rows: dates "
           "look like DD/MM/YYYY; expected YYYY-MM-DD",
           "excel_british_dates.xlsx sheet episodes row 2, column adopted_on", "--dayfirst"],
          "episode dates as DD/MM/YYYY text cells in the workbook (--dayfirst reads them)",
          "excel_british_dates.xlsx")

    t = base()
    for table, cols in (("offences", ("weapon", "domestic")), ("idva_survey", ("responded",))):
        idx = [COLUMNS[table].index(c) for c in cols]
        for r in t[table]:
            for j in idx:
                r[j] = _yes_no(r[j])
    write_folder("usable_yn_booleans", t)
    entry("usable_yn_booleans", "ok", ["valid"],
          "weapon, domestic and responded written Y/N (accepted: unambiguous)")

    sheets = {n: typed(df, n) for n, df in frames(base()).items()}
    yn = frames(t)["offences"]                       # Y/N as text cells
    sheets["offences"] = sheets["offences"].assign(weapon=yn["weapon"], domestic=yn["domestic"])
    write_workbook(OUT / "excel_yn_booleans.xlsx", sheets)
    entry("excel_yn_booleans", "ok", ["valid"],
          "weapon and domestic as Y/N text cells in the workbook (accepted)",
          "excel_yn_booleans.xlsx")

def make_oddities() -> None:
    """Oddities of real extracts, handled by definition: the data validate (strict)."""
    t = base()
    t["offences"].append(["O900"] + t["offences"][0][1:])            # a repeated record
    t = changed("episodes", 2, "removal_reason", "deceased", t)         # E01 is open
    t["custody"].append(["P05", "2018-06-01", "2018-09-01", "remand"])  # inside P05's long spell
    t["custody"].append(["P03", "2017-04-01", "2017-04-20", "remand"])  # E03 adopted 2017-04-13
    write_folder("usable_oddities", t)
    entry("usable_oddities", "ok", ["valid"],
          "a same-day repeat of an offence (kept, noted), an open episode with a removal "
          "reason (reason set aside), overlapping custody and adoption in custody (noted)")


def main(out: Path = HERE) -> list[dict]:
    """(Re)write the corpus into ``out`` (default: this directory) and return the entries."""
    global OUT
    OUT = Path(out).resolve()
    if OUT != HERE and OUT.exists() and any(OUT.iterdir()):
        raise SystemExit(f"{OUT} is not empty; give an empty or new folder (the corpus is "
                         f"written from scratch)")
    OUT.mkdir(parents=True, exist_ok=True)
    ENTRIES.clear()
    for p in OUT.iterdir():                            # start from scratch
        if p.name in ("make_corpus.py", "__pycache__"):
            continue
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    make_folders()
    make_files()
    make_usable()
    make_formats()
    make_oddities()
    names = [e["name"] for e in ENTRIES]
    assert len(names) == len(set(names)), "entry names must be unique"
    with open(OUT / "EXPECTED.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["name", "input", "outcome", "words", "defect"],
                           lineterminator="\n")
        w.writeheader()
        w.writerows(ENTRIES)
    n_err = sum(e["outcome"] == "error" for e in ENTRIES)
    print(f"wrote {len(ENTRIES)} entries ({n_err} broken) to {OUT}")
    return list(ENTRIES)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
