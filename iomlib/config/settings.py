"""Configuration as data: risk settings, severity tables, selection-matrix versions.

All settings live in ``iomlib/config/default.yaml`` and ``iomlib/config/severity_tables.csv``;
a force may pass its own YAML file, which is merged over the defaults and validated the same way.
"""
from __future__ import annotations

import copy
import datetime as _dt
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

import pandas as pd
import yaml

from iomlib.config.params import RunParameters, check_run_parameter
from iomlib.errors import ConfigError

SEVERITY_TABLES = ("ons_css", "counts", "gravity")
RISK_METHODS = ("weighted",)  # imported scores are governed by risk.prefer_imported


@dataclass(frozen=True)
class RiskConfig:
    """Settings of the recency- and severity-weighted risk score (domain-notes §2).

    ``risk(i, t) = sum_o severity(o) * (1 + weapon_uplift * weapon(o)) * 0.5 ** (age / half_life)``
    over offences ``o`` of person ``i`` with ``t - window_days < date(o) <= t``.
    """

    severity_table: str = "ons_css"
    window_days: int = 365
    half_life_days: float = 180.0
    weapon_uplift: float = 0.5
    prefer_imported: bool = True
    severity: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class MatrixVersion:
    """One effective-dated version of the selection matrix."""

    name: str
    effective_from: pd.Timestamp
    threshold: float
    weapon_points: float
    points: Mapping[str, float]


@dataclass(frozen=True)
class Config:
    """The validated configuration (``iomlib/config/default.yaml`` with a force's file over it).

    Attributes
    ----------
    risk : RiskConfig
    matrix_window_days : int
    matrix_versions : tuple of MatrixVersion
        Sorted by ``effective_from``.
    period_start, as_of : pandas.Timestamp
        ``headline.period_start`` and ``headline.as_of``.
    month12_months : int
    min_cell : int
        ``report.min_cell`` (checked like the run parameter of that name).
    audience : {"public", "restricted"}
        ``report.audience`` (checked like the run parameter of that name).
    severity_tables : pandas.DataFrame
    raw : mapping
        The merged YAML the configuration was built from.
    """

    risk: RiskConfig
    matrix_window_days: int
    matrix_versions: tuple[MatrixVersion, ...]
    period_start: pd.Timestamp
    as_of: pd.Timestamp
    month12_months: int
    min_cell: int
    audience: str
    severity_tables: pd.DataFrame
    raw: Mapping[str, Any]

    @property
    def categories(self) -> tuple[str, ...]:
        """The offence categories, in the order of the severity tables."""
        return tuple(self.severity_tables["offence_category"])

    def matrix_version_on(self, date) -> MatrixVersion:
        """The matrix version in force on ``date``.

        Parameters
        ----------
        date : str, date or Timestamp

        Returns
        -------
        MatrixVersion

        Raises
        ------
        ConfigError
            No version is in force yet on ``date``.
        """
        date = pd.Timestamp(date)
        live = [v for v in self.matrix_versions if v.effective_from <= date]
        if not live:
            raise ConfigError(f"no selection-matrix version is in force on {date.date()}; the "
                              f"earliest starts {self.matrix_versions[0].effective_from.date()}")
        return live[-1]

    def with_risk(self, **changes) -> "Config":
        """A copy with some risk settings changed (validated).

        Parameters
        ----------
        **changes
            Keys of the ``risk`` section, e.g. ``window_days=180``.

        Returns
        -------
        Config
        """
        raw = copy.deepcopy(dict(self.raw))
        raw["risk"] = {**raw.get("risk", {}), **changes}
        return _build(raw, self.severity_tables)


def _read_default_yaml() -> dict:
    text = resources.files("iomlib").joinpath("config/default.yaml").read_text()
    return yaml.safe_load(text)


def read_severity_tables(path: str | Path | None = None) -> pd.DataFrame:
    """Read and check the severity tables (one weight column per table of SEVERITY_TABLES).

    Parameters
    ----------
    path : str or Path, optional
        A CSV file (default: the packaged ``iomlib/config/severity_tables.csv``).

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    ConfigError
        A column is missing, a weight is not a non-negative number, or a category repeats.
    """
    if path is None:
        with resources.files("iomlib").joinpath("config/severity_tables.csv").open() as fh:
            df = pd.read_csv(fh, dtype={"ons_code": str})
        src = "iomlib/config/severity_tables.csv"
    else:
        df = pd.read_csv(path, dtype={"ons_code": str})
        src = str(path)
    need = {"offence_category", *SEVERITY_TABLES}
    missing = need - set(df.columns)
    if missing:
        raise ConfigError(f"{src}: missing columns {sorted(missing)}; expected {sorted(need)}")
    for col in SEVERITY_TABLES:
        bad = df[~(pd.to_numeric(df[col], errors="coerce") >= 0)]
        if len(bad):
            r = bad.index[0]
            raise ConfigError(f"{src}: row {r + 2}, column {col!r}: value {df.at[r, col]!r} is "
                              f"not a non-negative number")
    if df["offence_category"].duplicated().any():
        dup = df.loc[df["offence_category"].duplicated(), "offence_category"].iloc[0]
        raise ConfigError(f"{src}: offence_category {dup!r} appears twice")
    return df


def _merge(base: dict, over: Mapping) -> dict:
    out = copy.deepcopy(base)
    for k, v in over.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), dict) and k != "points":
            out[k] = _merge(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


def _num(section: str, key: str, value, *, minimum=None, integer=False, positive=False):
    if isinstance(value, bool):
        raise ConfigError(f"config {section}.{key}: {value!r} is not a number")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"config {section}.{key}: {value!r} is not a number") from None
    if not math.isfinite(x):
        raise ConfigError(f"config {section}.{key}: {value!r} is not a finite number")
    if integer and x != int(x):
        raise ConfigError(f"config {section}.{key}: {value!r} is not a whole number")
    if minimum is not None and x < minimum:
        raise ConfigError(f"config {section}.{key}: {value!r} is below the minimum {minimum}")
    if positive and x <= 0:
        raise ConfigError(f"config {section}.{key}: {value!r} must be greater than 0")
    return int(x) if integer else x


def _date(section: str, key: str, value) -> pd.Timestamp:
    """An ISO date (YYYY-MM-DD) only: 01/02/2020 is ambiguous (1 February in the UK)."""
    try:
        return pd.Timestamp(_dt.date.fromisoformat(str(value)[:10]) if len(str(value)) == 10
                            else _dt.date.fromisoformat(str(value)))
    except (ValueError, TypeError):
        raise ConfigError(f"config {section}.{key}: {value!r} is not a date (YYYY-MM-DD)") from None


def _section(raw: Mapping, name: str, known: set) -> Mapping:
    sec = raw.get(name)
    if sec is None:
        return {}
    if not isinstance(sec, Mapping):
        raise ConfigError(f"config {name}: expected a mapping of settings, got {sec!r}")
    unknown = set(sec) - known
    if unknown:
        raise ConfigError(f"config {name}: unknown key(s) {sorted(unknown)}; valid: "
                          f"{sorted(known)}")
    return sec


def _bool(section: str, key: str, value) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"config {section}.{key}: {value!r} is not true or false")
    return value


_SECTIONS = {"risk", "matrix", "headline", "report"}
_RISK_KEYS = {"method", "severity_table", "window_days", "half_life_days", "weapon_uplift",
              "prefer_imported"}
_VERSION_KEYS = {"name", "effective_from", "threshold", "weapon_points", "points"}


def _risk(raw: Mapping, sev: pd.DataFrame) -> RiskConfig:
    r = _section(raw, "risk", _RISK_KEYS)
    if r.get("method", "weighted") not in RISK_METHODS:
        raise ConfigError(f"config risk.method: {r.get('method')!r} is not one of "
                          f"{list(RISK_METHODS)}")
    table = r.get("severity_table", "ons_css")
    if table not in SEVERITY_TABLES:
        raise ConfigError(f"config risk.severity_table: {table!r} is not one of "
                          f"{list(SEVERITY_TABLES)}")
    return RiskConfig(
        severity_table=table,
        window_days=_num("risk", "window_days", r.get("window_days", 365), integer=True,
                         positive=True),
        half_life_days=_num("risk", "half_life_days", r.get("half_life_days", 180),
                            positive=True),
        weapon_uplift=_num("risk", "weapon_uplift", r.get("weapon_uplift", 0.5), minimum=0),
        prefer_imported=_bool("risk", "prefer_imported", r.get("prefer_imported", True)),
        severity=dict(zip(sev["offence_category"], sev[table].astype(float))),
    )


def _matrix_version(i: int, v, cats: set) -> MatrixVersion:
    sec = f"matrix.versions[{i}]"
    if not isinstance(v, Mapping):
        raise ConfigError(f"config {sec}: expected a mapping, got {v!r}")
    unknown = set(v) - _VERSION_KEYS
    if unknown:
        raise ConfigError(f"config {sec}: unknown key(s) {sorted(unknown)}; valid: "
                          f"{sorted(_VERSION_KEYS)}")
    points = v.get("points") or {}
    unknown = set(points) - cats
    if unknown:
        raise ConfigError(f"config {sec}.points: unknown offence categories {sorted(unknown)};"
                          f" valid: {sorted(cats)}")
    return MatrixVersion(
        name=str(v.get("name", i)),
        effective_from=_date(sec, "effective_from", v.get("effective_from")),
        threshold=_num(sec, "threshold", v.get("threshold"), positive=True),
        weapon_points=_num(sec, "weapon_points", v.get("weapon_points", 0), minimum=0),
        points={c: _num(sec, f"points.{c}", points.get(c, 0), minimum=0) for c in cats},
    )


def _matrix_versions(m: Mapping, sev: pd.DataFrame) -> tuple[MatrixVersion, ...]:
    cats = set(sev["offence_category"])
    versions = [_matrix_version(i, v, cats) for i, v in enumerate(m.get("versions") or [])]
    if not versions:
        raise ConfigError("config matrix.versions: at least one version is needed")
    names = [v.name for v in versions]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ConfigError(f"config matrix.versions: version name(s) {dup} appear twice")
    return tuple(sorted(versions, key=lambda v: v.effective_from))


def _report_value(rep: Mapping, key: str):
    """``report.min_cell`` or ``report.audience``, checked by the run-parameter model."""
    return check_run_parameter(key, rep.get(key, RunParameters.defaults()[key]),
                               lambda reason: ConfigError(f"config report.{key}: {reason}"))


def _build(raw: Mapping, sev: pd.DataFrame) -> Config:
    unknown = set(raw) - _SECTIONS
    if unknown:
        raise ConfigError(f"config: unknown section(s) {sorted(unknown)}; valid: "
                          f"{sorted(_SECTIONS)}")
    risk = _risk(raw, sev)
    m = _section(raw, "matrix", {"window_days", "versions"})
    versions = _matrix_versions(m, sev)
    h = _section(raw, "headline", {"period_start", "as_of", "month12_months"})
    rep = _section(raw, "report", {"min_cell", "audience"})
    audience = _report_value(rep, "audience")
    return Config(
        risk=risk,
        matrix_window_days=_num("matrix", "window_days", m.get("window_days", 365), integer=True,
                                positive=True),
        matrix_versions=versions,
        period_start=_date("headline", "period_start", h.get("period_start", "2016-01-01")),
        as_of=_date("headline", "as_of", h.get("as_of", "2020-01-31")),
        month12_months=_num("headline", "month12_months", h.get("month12_months", 12),
                            integer=True, positive=True),
        min_cell=_report_value(rep, "min_cell"),
        audience=audience,
        severity_tables=sev,
        raw=dict(raw),
    )


def load_config(path: str | Path | None = None, overrides: Mapping | None = None,
                severity_path: str | Path | None = None) -> Config:
    """Load the default configuration, merge a YAML file and overrides over it, validate.

    Parameters
    ----------
    path : str or Path, optional
        A YAML file with any of the sections ``risk``, ``matrix``, ``headline``, ``report``.
    overrides : mapping, optional
        Nested mapping merged last, e.g. ``{"risk": {"window_days": 180}}``.
    severity_path : str or Path, optional
        A CSV replacing the packaged severity tables (same columns).
    """
    raw = _read_default_yaml()
    if path is not None:
        p = Path(path)
        try:
            user = yaml.safe_load(p.read_text()) or {}
        except FileNotFoundError:
            raise ConfigError(f"config file {p} does not exist") from None
        except yaml.YAMLError as e:
            raise ConfigError(f"config file {p} is not valid YAML: {e}") from None
        if not isinstance(user, Mapping):
            raise ConfigError(f"config file {p}: expected a mapping of sections at top level")
        raw = _merge(raw, user)
    if overrides:
        raw = _merge(raw, overrides)
    return _build(raw, read_severity_tables(severity_path))


_DEFAULT: Config | None = None


def default_config() -> Config:
    """The packaged configuration (cached).

    Returns
    -------
    Config
    """
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = load_config()
    return _DEFAULT


def run_config(path: str | Path | RunParameters | None = None, *, as_of=None, period_start=None,
               min_cell=None, audience=None) -> Config:
    """The configuration of one report run: the file, with the run's parameters over it.

    The report runner and every report notebook build their configuration here, so that both
    see the same dates and disclosure settings.

    Parameters
    ----------
    path : str, Path or RunParameters, optional
        A YAML configuration file (default: the packaged configuration), or validated run
        parameters (:class:`~iomlib.config.params.RunParameters`), whose ``config`` is the file
        and whose ``as_of``, ``period_start``, ``min_cell`` and ``audience`` are applied.
    as_of, period_start : str or date, optional
        ``headline.as_of`` and ``headline.period_start``; ``None`` keeps the file's values.
    min_cell, audience : optional
        ``report.min_cell`` and ``report.audience``; ``None`` keeps the file's values.

    Returns
    -------
    Config

    Raises
    ------
    ConfigError
        The file or a value is invalid.
    """
    if isinstance(path, RunParameters):
        return run_config(path.config, **path.config_overrides())
    headline = {k: v for k, v in (("as_of", as_of), ("period_start", period_start))
                if v is not None}
    report = {k: v for k, v in (("min_cell", min_cell), ("audience", audience))
              if v is not None}
    overrides = {k: v for k, v in (("headline", headline), ("report", report)) if v}
    return load_config(path, overrides or None)
