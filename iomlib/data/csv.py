"""Reading one CSV file as text: encoding and separator detection, line-faithful row numbers.

Used by :mod:`iomlib.data.sources` for every ``<table>.csv`` of a folder. Values are kept as text
(``dtype=str``); typing is the validator's job (:mod:`iomlib.data.validate`).
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from iomlib.data.schema import TABLES
from iomlib.errors import DataSourceError

_SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def _sniff_separator(header: str) -> str:
    """The separator of a header line: ``";"`` or a tab when it occurs more often than commas
    (and than the other one) outside quotes, else ``","``."""
    bare = re.sub(r'"[^"]*"', "", header)
    counts = {sep: bare.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: (counts[sep], sep == ","))
    return best if counts[best] > counts[","] else ","


def _decode(data: bytes, name: str) -> tuple[str, str, list[str]]:
    """Text of a CSV file: UTF-16 when it starts with a UTF-16 byte-order mark, else UTF-8
    (with or without a byte-order mark), else Latin-1. Returns (text, encoding, notes)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16", [f"{name}: read as UTF-16"]
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), "utf-8", []
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1", [f"{name}: not valid UTF-8, read as Latin-1"]


def _header_names(header: str, sep: str) -> list[str] | None:
    """The header line split as the CSV reader would, or ``None`` when it cannot be split."""
    try:
        return next(csv.reader([header], delimiter=sep))
    except (csv.Error, StopIteration):
        return None


def _expected(table: str) -> str:
    """What the file should start with, for messages."""
    if table in TABLES:
        return f"a header line with the columns {', '.join(TABLES[table].column_names)}"
    return "a header line naming the columns"


def _file_text(path: Path, expected: str) -> tuple[str, list[str]]:
    """The decoded text of ``path`` and the notes on its encoding; unreadable or binary: error."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataSourceError(f"{path} cannot be read ({exc.strerror or exc}); "
                              f"expected {expected}") from None
    text, _, notes = _decode(data, path.name)
    if "\x00" in text:
        raise DataSourceError(f"{path.name} is not a text file (it holds NUL bytes: binary data, "
                              f"or a UTF-16 file without a byte-order mark); expected a CSV file "
                              f"(UTF-8 or Latin-1) with {expected}")
    return text, notes


def _parse(text: str, sep: str, skipped: int, name: str, expected: str) -> pd.DataFrame:
    """``pd.read_csv`` of ``text`` as strings; a parse error names the file's own line."""
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                           skip_blank_lines=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError, csv.Error) as exc:
        msg = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        msg = re.sub(r"line (\d+)", lambda m: f"line {int(m.group(1)) + skipped}", msg)
        raise DataSourceError(f"{name} cannot be parsed as CSV ({msg}); expected {expected}, "
                              f"then one line per row with the same number of fields") from None


def read_csv_text(path: str | Path) -> tuple[pd.DataFrame, list[str]]:
    """Read one CSV file with every column as text.

    The file may start with a UTF-8 byte-order mark, may be Latin-1 encoded (used when it is not
    valid UTF-8), may be UTF-16 with a byte-order mark (Excel's "Unicode text"), and may be
    semicolon- or tab-separated (detected from the header line). Blank lines are skipped but keep
    their place in the numbering: the frame's index is the line number minus 2. A header naming a
    column twice keeps both names (pandas would rename the second ``x.1``), so that the validator
    reports the repetition.

    Parameters
    ----------
    path : str or Path
        The CSV file.

    Returns
    -------
    frame : DataFrame
        All values as ``str``; empty fields are ``""``.
    notes : list of str
        What was detected (encoding fallback, separator), for provenance.

    Raises
    ------
    DataSourceError
        The file is missing, empty, holds binary data (NUL bytes) or is not parseable as CSV
        (the message gives the line).
    """
    path = Path(path)
    expected = _expected(path.stem)
    text, notes = _file_text(path, expected)
    stripped = text.lstrip("\r\n")
    if not stripped.strip():
        raise DataSourceError(f"{path.name} is empty; expected {expected}")
    skipped = text[: len(text) - len(stripped)].count("\n")
    header = re.split(r"\r\n|\n|\r", stripped, maxsplit=1)[0]
    sep = _sniff_separator(header)
    if sep != ",":
        notes.append(f"{path.name}: {_SEPARATOR_NAMES[sep]}-separated")
    df = _parse(stripped, sep, skipped, path.name, expected)
    names = _header_names(header, sep)
    if names is not None and len(names) == len(df.columns) \
            and len({n.strip() for n in names}) < len(names):
        df.columns = names              # keep repeated names: the validator reports them
    df = df.fillna("")
    if skipped:
        df.index = df.index + skipped
    if len(df.columns):
        blank = (df.astype(str).apply(lambda s: s.str.strip()) == "").all(axis=1)
        df = df[~blank]
    return df, notes
