"""The ``Dataset``: one validated set of tidy tables, plus its data-quality ledger."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from iomlib.data.schema import TABLES

LEDGER_COLUMNS = ["table", "rows_read", "rows_used", "rows_excluded", "reason", "rows"]


def empty_ledger() -> pd.DataFrame:
    return pd.DataFrame(columns=LEDGER_COLUMNS)


@dataclass
class Dataset:
    """Validated tables of one force (or of many, with ``people.force``).

    Attributes
    ----------
    people, episodes, offences, custody, idva_survey : DataFrame
        Tidy tables following :mod:`iomlib.data.schema`; dates are ``datetime64[ns]``.
    risk_scores : DataFrame or None
        Optional imported risk scores.
    ledger : DataFrame
        Data-quality ledger, one row per (table, exclusion reason), one per note on kept rows
        (``reason`` starting ``"note: "``, ``rows_excluded`` 0; :mod:`iomlib.data.oddities`) and
        one summary row per table (``reason == "total"``): rows read, used and excluded.
        ``rows_read == rows_used + rows_excluded`` on every total row.
    source : str
        Where the data came from (path or SQL URL with any password removed).
    file_hashes : dict
        SHA-256 of every file read, for provenance.
    """

    people: pd.DataFrame
    episodes: pd.DataFrame
    offences: pd.DataFrame
    custody: pd.DataFrame
    idva_survey: pd.DataFrame
    risk_scores: pd.DataFrame | None = None
    ledger: pd.DataFrame = field(default_factory=empty_ledger)
    source: str = "<memory>"
    file_hashes: dict = field(default_factory=dict)

    def copy(self) -> Dataset:
        """An independent copy: every table and the ledger copied, so changes stay local.

        Returns
        -------
        Dataset
            Equal tables (data and index copied), the same source and a copy of the file
            hashes.
        """
        frames = {n: (None if getattr(self, n) is None else getattr(self, n).copy())
                  for n in (*TABLES, "ledger")}
        return replace(self, **frames, file_hashes=dict(self.file_hashes))

    def table(self, name: str) -> pd.DataFrame | None:
        """The table ``name`` (one of :data:`iomlib.data.schema.TABLES`; None if absent).

        Parameters
        ----------
        name : str
            Table name, e.g. ``"episodes"``.

        Returns
        -------
        DataFrame or None
        """
        if name not in TABLES:
            raise KeyError(f"unknown table {name!r}; valid: {sorted(TABLES)}")
        return getattr(self, name)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table present, by name (an absent optional table is left out)."""
        out = {n: getattr(self, n) for n in TABLES}
        return {n: t for n, t in out.items() if t is not None}

    def write(self, out_dir: str | Path, fmt: str = "csv") -> list[Path]:
        """Write every table to ``out_dir`` as ``<table>.csv`` or ``<table>.parquet``.

        CSV dates are ISO ``YYYY-MM-DD``; booleans ``true``/``false``; output is byte-stable.

        Parameters
        ----------
        out_dir : str or Path
            Folder to write into (created if needed).
        fmt : {"csv", "parquet"}
            File format.

        Returns
        -------
        list of Path
            The files written.
        """
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name, df in self.tables().items():
            cols = [c.name for c in TABLES[name].columns if c.name in df.columns]
            df = df[cols]
            if fmt == "csv":
                p = out / f"{name}.csv"
                text = _to_csv_text(df)
                p.write_text(text, encoding="utf-8")
            elif fmt == "parquet":
                p = out / f"{name}.parquet"
                df.to_parquet(p, index=False)
            else:
                raise ValueError(f"fmt={fmt!r}: expected 'csv' or 'parquet'")
            written.append(p)
        return written


def _to_csv_text(df: pd.DataFrame) -> str:
    df = df.copy()
    for c in df.columns:
        s = df[c]
        if pd.api.types.is_datetime64_any_dtype(s):
            df[c] = s.dt.strftime("%Y-%m-%d").where(s.notna(), "")
        elif pd.api.types.is_bool_dtype(s):
            df[c] = s.map({True: "true", False: "false"})
    return df.to_csv(index=False, lineterminator="\n")


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file, read in chunks.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    str
        Hexadecimal SHA-256 of its bytes.
    """
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
