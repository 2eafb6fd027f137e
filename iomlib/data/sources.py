"""Reading raw tables from files or a database, and loading a validated :class:`Dataset`.

Three kinds of source are understood:

* a folder holding one file per table, ``<table>.csv`` or ``<table>.parquet`` (the layout
  written by :meth:`iomlib.data.dataset.Dataset.write`);
* an Excel workbook (``.xlsx``) with one sheet per table, named after the table;
* an SQLAlchemy URL (anything containing ``://``, e.g. ``sqlite:///data/iom.db``) with one
  database table per data table.

Table names come from :data:`iomlib.data.schema.TABLES`; ``risk_scores`` is optional, every other
table is required. Any source that cannot be read raises :class:`iomlib.errors.DataSourceError`
with a message naming the file, sheet or table and what was expected.
"""
from __future__ import annotations

import difflib
import re
from pathlib import Path

import pandas as pd

from iomlib.config.settings import Config
from iomlib.data.csv import read_csv_text
from iomlib.data.dataset import Dataset, file_sha256
from iomlib.data.schema import REQUIRED_TABLES, TABLES
from iomlib.data.summary import summarize_problems
from iomlib.data.validate import Problem, validate_tables
from iomlib.errors import DataSourceError, DataValidationError

EXCEL_SUFFIXES = (".xlsx", ".xlsm")
_EXPECTED_SOURCE = ("expected a folder of <table>.csv or <table>.parquet files, an .xlsx workbook "
                    "with one sheet per table, or an SQLAlchemy URL such as sqlite:///data/iom.db")


def _columns_of(table: str) -> str:
    return ", ".join(TABLES[table].column_names)


# --------------------------------------------------------------------------------------------
# names


def _close_names(wanted: str, found: list[str]) -> list[str]:
    """Names in ``found`` that look like ``wanted`` (other case, spaces, a typo or a plural)."""
    norm = {f: re.sub(r"[\s_\-]+", "", f.lower()) for f in found}
    target = re.sub(r"[\s_\-]+", "", wanted.lower())
    hits = [f for f, n in norm.items() if n == target or n.rstrip("s") == target.rstrip("s")
            or (len(target) >= 4 and target.rstrip("s") in n)]
    hits += [f for f in difflib.get_close_matches(wanted, found, n=2, cutoff=0.75)
             if f not in hits]
    return hits


def _did_you_mean(missing: list[str], found, what: str) -> str:
    """``"; 'People' may be the people sheet (names must match exactly...)"`` or ``""``.

    ``found`` is a list of names, or a dict {name compared: name shown}.
    """
    shown = found if isinstance(found, dict) else {f: f for f in found}
    hints = []
    for m in missing:
        close = _close_names(m, list(shown))
        if close:
            hints.append(f"{' or '.join(repr(shown[c]) for c in close)} may be the {m} {what}")
    if not hints:
        return ""
    return "; " + "; ".join(hints) + " (names must match exactly, in lower case)"


# --------------------------------------------------------------------------------------------
# sources


def _new_meta(source: str) -> dict:
    return {"source": source, "file_hashes": {}, "encodings": {}, "notes": []}


def _read_parquet(path: Path) -> pd.DataFrame:
    if path.stat().st_size == 0:
        raise DataSourceError(f"{path.name} is empty; expected a Parquet file with the columns "
                              f"{_columns_of(path.stem)}")
    try:
        df = _parquet_frame(path)
    except Exception as exc:  # any reader failure means the file is unusable
        raise DataSourceError(f"{path.name} is not a readable Parquet file ({type(exc).__name__}: "
                              f"{str(exc).splitlines()[0] if str(exc) else ''}); it may be "
                              f"truncated or corrupt; expected a complete Parquet file with the "
                              f"columns {_columns_of(path.stem)}") from None
    return df.reset_index(drop=True)


def _parquet_frame(path: Path) -> pd.DataFrame:
    """``pd.read_parquet(path)``, about four times faster on millions of text cells: each
    cell becomes its own ``str`` (pyarrow's ``deduplicate_objects=False``) instead of being
    looked up in a table of the strings already made."""
    import pyarrow.parquet as pq
    return pq.read_table(path).to_pandas(deduplicate_objects=False)


def _read_parquet_for_force(path: Path, people: Path, force: str) -> pd.DataFrame:
    """Read only one force's rows of a Parquet table, lazily, with DuckDB.

    ``people`` is filtered on its ``force`` column; every other table is semi-joined to those
    people. Row order and the original row numbers (the frame's index) are kept.
    """
    import duckdb
    con = duckdb.connect()
    try:
        if path == people:
            sql = ("SELECT * FROM read_parquet(?, file_row_number = true) WHERE force = ? "
                   "ORDER BY file_row_number")
            params = [str(path), force]
        else:
            sql = ("SELECT * FROM read_parquet(?, file_row_number = true) WHERE person_id IN "
                   "(SELECT person_id FROM read_parquet(?) WHERE force = ?) "
                   "ORDER BY file_row_number")
            params = [str(path), str(people), force]
        df = con.execute(sql, params).df()
    except duckdb.Error as exc:
        raise DataSourceError(f"{path.name}: cannot filter by force {force!r} "
                              f"({str(exc).splitlines()[0]}); expected a readable Parquet file "
                              f"(and a 'force' column in people.parquet)") from None
    finally:
        con.close()
    df.index = df.pop("file_row_number").to_numpy()
    return df


def _forces_in(folder: Path, found: dict) -> list[str]:
    people = found["people"]
    if people.suffix == ".parquet":
        import duckdb
        with duckdb.connect() as con:
            return [r[0] for r in con.execute(
                "SELECT DISTINCT force FROM read_parquet(?) WHERE force IS NOT NULL ORDER BY 1",
                [str(people)]).fetchall()]
    df, _ = read_csv_text(people)
    return sorted(set(df.get("force", pd.Series(dtype=str))) - {""})


def _read_folder(folder: Path, force: str | None = None) -> tuple[dict, dict]:
    meta = _new_meta(str(folder))
    found = {}
    missing = []
    for name, spec in TABLES.items():
        candidates = [p for p in (folder / f"{name}.csv", folder / f"{name}.parquet")
                      if p.is_file()]
        if len(candidates) > 1:
            raise DataSourceError(f"{folder}: both {name}.csv and {name}.parquet exist; expected "
                                  f"exactly one file for table {name!r}")
        if candidates:
            found[name] = candidates[0]
        elif not spec.optional:
            missing.append(name)
    if missing:
        present = sorted(p.name for p in folder.iterdir() if p.is_file())
        names = ", ".join(f"{m}.csv" for m in missing)
        stems = {}
        for p in present:
            stems.setdefault(Path(p).stem if Path(p).suffix.lower() in (".csv", ".parquet",
                                                                        ".txt") else p, p)
        hint = _did_you_mean(missing, stems, "table")
        raise DataSourceError(
            f"{folder}: missing {names} (or .parquet); expected one file per table: "
            + ", ".join(f"{t}.csv" for t in REQUIRED_TABLES)
            + " (risk_scores.csv optional); files found: "
            + (", ".join(present) if present else "none") + hint)
    if force is not None:
        forces = _forces_in(folder, found)
        if force not in forces:
            raise DataSourceError(f"{found['people'].name}: no people of force {force!r}; "
                                  f"forces present: {', '.join(forces) if forces else 'none'}")
    tables = {}
    for name, path in found.items():
        if force is not None and path.suffix == ".parquet" and found["people"].suffix == ".parquet":
            df = _read_parquet_for_force(path, found["people"], force)
        elif path.suffix == ".csv":
            df, notes = read_csv_text(path)
            meta["notes"].extend(notes)
            meta["encodings"][path.name] = ("latin-1" if any("Latin-1" in n for n in notes)
                                            else "utf-16" if any("UTF-16" in n for n in notes)
                                            else "utf-8")
        else:
            df = _read_parquet(path)
        df.attrs["iom_label"] = path.name
        tables[name] = df
        meta["file_hashes"][path.name] = file_sha256(path)
    if force is not None and found["people"].suffix != ".parquet":
        keep = set(tables["people"].loc[tables["people"]["force"] == force, "person_id"])
        for name, df in tables.items():
            label = df.attrs.get("iom_label")
            col = "force" if name == "people" else "person_id"
            tables[name] = df[df[col].isin([force] if name == "people" else keep)]
            tables[name].attrs["iom_label"] = label
    if force is not None:
        meta["notes"].append(f"filtered to force {force!r}")
    return tables, meta


def _excel_header(book: pd.ExcelFile, sheet: str) -> list[str] | None:
    """The header row of a sheet as written (pandas renames repeated names ``x.1``)."""
    try:
        head = book.parse(sheet, header=None, nrows=1, dtype=object, keep_default_na=False)
    except Exception:  # the full parse succeeded; this is only a refinement
        return None
    if len(head) == 0:
        return None
    return ["" if v is None else str(v) for v in head.iloc[0].tolist()]


def _excel_engine() -> str:
    """``calamine`` (Rust, about six times faster than openpyxl on a force's workbook) when
    python-calamine is installed, else ``openpyxl``."""
    import importlib.util
    return "calamine" if importlib.util.find_spec("python_calamine") else "openpyxl"


def _read_excel(path: Path) -> tuple[dict, dict]:
    meta = _new_meta(str(path))
    try:
        book = pd.ExcelFile(path, engine=_excel_engine())
    except Exception as exc:  # any reader failure means the workbook is unusable
        raise DataSourceError(f"{path.name} is not a readable .xlsx workbook "
                              f"({type(exc).__name__}: {exc}); {_EXPECTED_SOURCE}") from None
    with book:
        sheets = list(book.sheet_names)
        missing = [t for t in REQUIRED_TABLES if t not in sheets]
        if missing:
            raise DataSourceError(
                f"{path.name}: no sheet named " + ", ".join(repr(m) for m in missing)
                + "; sheets found: " + (", ".join(repr(s) for s in sheets) or "none")
                + "; expected one sheet per table: " + ", ".join(REQUIRED_TABLES)
                + " (risk_scores optional)"
                + _did_you_mean(missing, [str(s) for s in sheets], "sheet"))
        tables = {}
        for name in TABLES:
            if name not in sheets:
                continue
            try:
                df = book.parse(name, dtype=object, keep_default_na=False)
            except Exception as exc:  # a sheet openpyxl cannot interpret
                raise DataSourceError(f"{path.name}, sheet {name!r} cannot be read "
                                      f"({type(exc).__name__}: {exc})") from None
            if len(df.columns) == 0:
                raise DataSourceError(f"{path.name}, sheet {name!r} is empty; expected a header "
                                      f"row with the columns {_columns_of(name)}")
            mangled = any(re.search(r"\.\d+$", str(c)) for c in df.columns)
            names = _excel_header(book, name) if mangled else None   # pandas renames x -> x.1
            if names is not None and len(names) == len(df.columns) \
                    and len({n.strip() for n in names}) < len(names):
                df.columns = names          # keep repeated names: the validator reports them
            blank = df.apply(lambda s: s.isna() | s.astype(str).str.strip().eq("")).all(axis=1)
            df = df[~blank]
            df.attrs["iom_label"] = f"{path.name} sheet {name}"
            tables[name] = df
    meta["file_hashes"][path.name] = file_sha256(path)
    return tables, meta


def mask_url(url: str) -> str:
    """The URL with any password replaced by ``***``.

    Parameters
    ----------
    url : str
        An SQLAlchemy URL.

    Returns
    -------
    str
    """
    try:
        from sqlalchemy.engine import make_url
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not parseable: fall back to a textual mask
        return re.sub(r"(://[^/@:]*:)[^@/]*@", r"\1***@", url)


#: Seconds a network database may take to accept a connection before the read fails.
CONNECT_TIMEOUT = 10


def _connect_args(parsed) -> dict:
    """Keyword arguments for ``create_engine``: a connection timeout for network databases,
    so that an unreachable server fails fast instead of hanging; the pool of an in-memory
    SQLite URL."""
    backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    if backend == "postgresql" and driver in ("psycopg2", "psycopg") \
            and "connect_timeout" not in parsed.query:
        return {"connect_args": {"connect_timeout": CONNECT_TIMEOUT}}
    if backend == "postgresql" and driver == "pg8000" and "timeout" not in parsed.query:
        return {"connect_args": {"timeout": CONNECT_TIMEOUT}}
    if backend in ("mysql", "mariadb") and driver in ("pymysql", "mysqldb") \
            and "connect_timeout" not in parsed.query:
        return {"connect_args": {"connect_timeout": CONNECT_TIMEOUT}}
    if backend == "sqlite" and parsed.query.get("mode") == "memory":
        # one connection per thread, said outright (SQLAlchemy 2.1 deprecates choosing it
        # from the URL and will otherwise change the pool for such a URL)
        from sqlalchemy.pool import SingletonThreadPool
        return {"poolclass": SingletonThreadPool}
    return {}


_SQL_HINT = "expected e.g. sqlite:///path/to/iom.db or postgresql://user@host/database"


def _read_sql(url: str) -> tuple[dict, dict]:
    shown = mask_url(url)
    meta = _new_meta(shown)
    engine, db_file = _sql_engine(url, shown)
    try:
        tables = _sql_tables(engine, shown)
    finally:
        engine.dispose()
    if db_file is not None:
        meta["file_hashes"][db_file.name] = file_sha256(db_file)
    return tables, meta


def _sql_engine(url: str, shown: str):
    """An SQLAlchemy engine for ``url`` and the SQLite database file (None for a server)."""
    import sqlalchemy
    from sqlalchemy.exc import NoSuchModuleError
    try:
        parsed = sqlalchemy.engine.make_url(url)
    except Exception as exc:  # ArgumentError and friends
        raise DataSourceError(f"{shown} is not a valid SQLAlchemy URL ({exc}); "
                              f"{_SQL_HINT}") from None
    db_file = None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:") \
            and not str(parsed.database).startswith("file:"):
        db_file = Path(parsed.database)
        if not db_file.is_file():
            raise DataSourceError(f"{shown}: the SQLite database file {db_file} does not exist; "
                                  f"{_SQL_HINT}")
    try:
        return sqlalchemy.create_engine(parsed, **_connect_args(parsed)), db_file
    except ImportError as exc:  # the dialect is known but its Python driver is not installed
        module = getattr(exc, "name", None) or str(exc)
        raise DataSourceError(f"{shown}: the Python driver for {parsed.get_backend_name()} "
                              f"databases ({module}) is not installed; install it into the "
                              f"environment, or export the tables to CSV or Parquet") from None
    except Exception as exc:  # unknown dialect, bad arguments
        if isinstance(exc, NoSuchModuleError):
            raise DataSourceError(f"{shown}: unknown kind of database "
                                  f"{parsed.drivername!r}; {_SQL_HINT}") from None
        raise DataSourceError(f"{shown}: cannot use this database URL ({type(exc).__name__}: "
                              f"{exc}); {_SQL_HINT}") from None


def _sql_tables(engine, shown: str) -> dict[str, pd.DataFrame]:
    """Every data table present in the database; a missing required table is an error."""
    import sqlalchemy
    from sqlalchemy.exc import SQLAlchemyError
    tables = {}
    try:
        with engine.connect() as conn:
            present = set(sqlalchemy.inspect(conn).get_table_names())
            missing = [t for t in REQUIRED_TABLES if t not in present]
            if missing:
                raise DataSourceError(
                    f"{shown}: no database table named " + ", ".join(repr(m) for m in missing)
                    + "; tables found: " + (", ".join(sorted(present)) or "none")
                    + "; expected one table per data table: " + ", ".join(REQUIRED_TABLES)
                    + " (risk_scores optional)"
                    + _did_you_mean(missing, sorted(present), "table"))
            for name in TABLES:
                if name in present:
                    # the values as the database holds them, without SQLAlchemy's type
                    # conversion: one bad value (SQLite stores anything in any column) is then
                    # a row-level problem for the validator, not an unreadable table
                    query = sqlalchemy.select(sqlalchemy.text("*")).select_from(
                        sqlalchemy.table(name))
                    df = pd.read_sql_query(query, conn)
                    df.attrs["iom_label"] = f"table {name}"
                    tables[name] = df.reset_index(drop=True)
    except SQLAlchemyError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise DataSourceError(f"{shown}: cannot read the database ({type(exc).__name__}: "
                              f"{first}); check that the server is reachable and the URL, user "
                              f"and database name are right") from None
    except DataSourceError:
        raise
    except Exception as exc:  # driver-level failures outside SQLAlchemy's hierarchy
        raise DataSourceError(f"{shown}: cannot read the database ({type(exc).__name__}: "
                              f"{exc})") from None
    return tables


def read_tables(source, *, force: str | None = None) -> tuple[dict[str, pd.DataFrame], dict]:
    """Read the raw tables of a data source, without validating them.

    Parameters
    ----------
    source : str or Path
        A folder of ``<table>.csv`` / ``<table>.parquet`` files, an ``.xlsx`` workbook with one
        sheet per table, or an SQLAlchemy URL (any string containing ``"://"``).

    Returns
    -------
    tables : dict of str to DataFrame
        Raw tables by name (``risk_scores`` only when present). CSV tables hold text only
        (``dtype=str``, empty fields ``""``); other sources keep their own types. Each frame's
        ``attrs["iom_label"]`` names it in messages (``"offences.csv"``, ``"iom.xlsx sheet
        offences"``, ``"table offences"``) and its index is the row number minus 2 (header =
        row 1).
    metadata : dict
        ``source`` (str; SQL URLs with the password masked), ``file_hashes`` ({file name:
        SHA-256} of every file read), ``encodings`` ({CSV file name: ``"utf-8"``, ``"latin-1"``
        or ``"utf-16"``}) and ``notes`` (list of str: encoding fallbacks, semicolon or tab
        separators).
    force : str, optional
        Keep one force's people (``people.force``) and their rows in every table. On a Parquet
        folder the filter runs lazily in DuckDB, so a national dataset is never fully loaded.

    Raises
    ------
    DataSourceError
        The source does not exist, is of an unknown kind (or a single table's file), lacks a
        required table, file or sheet (names that nearly match are pointed out), a file cannot be
        read, a database driver is not installed or the database cannot be reached (network
        databases get a connection timeout of :data:`CONNECT_TIMEOUT` seconds).
    """
    if isinstance(source, str) and "://" in source:
        return _read_sql(source)
    path, is_dir = _local_path(source)
    if is_dir:
        try:
            return _read_folder(path, force)
        except OSError as exc:         # e.g. a folder or file without read permission
            raise DataSourceError(f"{path}: cannot be read ({exc.strerror or exc}: "
                                  f"{exc.filename or path}); {_EXPECTED_SOURCE}") from None
    if force is not None:
        raise DataSourceError(f"{path}: --force needs a folder of Parquet or CSV files")
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _read_excel(path)
    if path.suffix.lower() in (".csv", ".parquet") and path.stem in TABLES:
        raise DataSourceError(f"{path} is a single table; give the folder that holds it "
                              f"({path.parent}) with one file per table: "
                              + ", ".join(f"{t}.csv" for t in REQUIRED_TABLES))
    if path.suffix.lower() == ".xls":
        raise DataSourceError(f"{path}: old-style .xls workbooks are not read; save it as .xlsx "
                              f"(one sheet per table)")
    raise DataSourceError(f"{path}: unknown kind of source (suffix {path.suffix or 'none'!r}); "
                          f"{_EXPECTED_SOURCE}")


def _local_path(source) -> tuple[Path, bool]:
    """``source`` as an existing path, and whether it is a folder (unusable or missing: error)."""
    try:
        path = Path(source)
    except TypeError:
        raise DataSourceError(f"{source!r} is not a path or URL; {_EXPECTED_SOURCE}") from None
    shown = str(path) if len(str(path)) <= 200 else str(path)[:200] + "…"
    if "\x00" in str(path):
        raise DataSourceError(f"{shown!r} is not a usable path (it holds a NUL character); "
                              f"{_EXPECTED_SOURCE}")
    try:
        exists, is_dir = path.exists(), path.is_dir()
    except OSError as exc:             # e.g. a name too long for the file system
        raise DataSourceError(f"{shown} cannot be used as a path ({exc.strerror or exc}); "
                              f"{_EXPECTED_SOURCE}") from None
    if not exists:
        raise DataSourceError(f"{path} does not exist; {_EXPECTED_SOURCE}")
    return path, is_dir


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _failure_message(source: str, problems: list[Problem], strict: bool,
                     rows_read: dict[str, int] | None = None, dayfirst: bool = False) -> str:
    """Header line, then :func:`iomlib.data.summary.summarize_problems` (errors first): one line
    per table and column, the first examples, how to fix; short whatever the number of rows."""
    rank = {"error": 0, "excluded": 1, "set aside": 2, "ignored": 3}
    ordered = sorted(problems, key=lambda p: rank.get(p.action, 3))
    n_err = sum(p.action == "error" for p in problems)
    n_exc = sum(p.action == "excluded" for p in problems)
    why = ("strict mode refuses data with excluded rows" if strict and not n_err
           else "the data cannot be used")
    head = (f"{source or 'the data'}: {_plural(len(problems), 'problem')} "
            f"({_plural(n_err, 'error')}, {_plural(n_exc, 'excluded-row problem')}); {why}:")
    return head + "\n" + summarize_problems(ordered, rows_read, dayfirst=dayfirst)


def _rows_read(ledger: pd.DataFrame) -> dict[str, int]:
    totals = ledger[ledger["reason"] == "total"]
    return {str(t): int(n) for t, n in zip(totals["table"], totals["rows_read"], strict=True)}


def load_dataset(source, *, config: Config | None = None, strict: bool = False,
                 max_bad_fraction: float = 0.05, today=None, force: str | None = None,
                 dayfirst: bool = False) -> Dataset:
    """Read, validate and type a data source.

    Parameters
    ----------
    source : str or Path
        Anything :func:`read_tables` accepts, including a folder written by
        :meth:`Dataset.write` (the round trip is exact).
    config : Config, optional
        Supplies the allowed offence categories; defaults to the packaged configuration.
    strict : bool, default False
        Also refuse data in which any row would be excluded.
    max_bad_fraction : float, default 0.05
        Passed to :func:`iomlib.data.validate.validate_tables`.
    today : date-like, optional
        Reference date for "in the future" checks; defaults to today.
    force : str, optional
        Load one force of a national dataset (see :func:`read_tables`).
    dayfirst : bool, default False
        Also read day-first dates (``DD/MM/YYYY``); see
        :func:`iomlib.data.validate.validate_tables`.

    Returns
    -------
    Dataset
        Typed, clean tables with the ledger, source and file hashes.

    Raises
    ------
    DataSourceError
        The source cannot be read (see :func:`read_tables`).
    DataValidationError
        Any problem with action ``"error"`` (or, with ``strict=True``, also ``"excluded"``); the
        message leads with one line per table and column, then the first examples (file, row,
        column, value) and a count of the rest, then how to fix them (about 30 lines at most);
        ``exc.problems`` holds every problem.
    """
    tables, meta = read_tables(source, force=force)
    clean, ledger, problems = validate_tables(tables, config=config, source=meta["source"],
                                              max_bad_fraction=max_bad_fraction, today=today,
                                              dayfirst=dayfirst)
    blocking = [p for p in problems
                if p.action == "error" or (strict and p.action == "excluded")]
    if blocking:
        raise DataValidationError(_failure_message(meta["source"], problems, strict,
                                                   _rows_read(ledger), dayfirst), problems)
    return Dataset(
        people=clean["people"], episodes=clean["episodes"], offences=clean["offences"],
        custody=clean["custody"], idva_survey=clean["idva_survey"],
        risk_scores=clean.get("risk_scores"), ledger=ledger, source=meta["source"],
        file_hashes=dict(meta["file_hashes"]),
    )
