"""Configuration as data: risk settings, severity tables, selection-matrix versions.

All settings live in ``iomlib/config/default.yaml`` and ``iomlib/config/severity_tables.csv``;
a force may pass its own YAML file, which is merged over the defaults and validated the same way.
:class:`Config` and its parts (:class:`RiskConfig`, :class:`MatrixVersion`) are frozen pydantic
models; every setting's validator raises :class:`~iomlib.errors.ConfigError` naming
``config <section>.<key>`` and the value. ``report.min_cell`` and ``report.audience`` are checked
by the run-parameter model (:mod:`iomlib.config.params`), where they are declared.
"""
from __future__ import annotations

import copy
import datetime as _dt
import math
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Mapping

import pandas as pd
import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, model_validator

from iomlib.config.params import RunParameters, check_run_parameter
from iomlib.errors import ConfigError

SEVERITY_TABLES = ("ons_css", "counts", "gravity")
RISK_METHODS = ("weighted",)  # imported scores are governed by risk.prefer_imported


_SECTIONS = {"risk", "matrix", "headline", "report"}
_RISK_KEYS = {"method", "severity_table", "window_days", "half_life_days", "weapon_uplift",
              "prefer_imported", "imported_valid_days"}
_MATRIX_KEYS = {"window_days", "versions"}
_VERSION_KEYS = {"name", "effective_from", "threshold", "weapon_points", "points"}
_HEADLINE_KEYS = {"period_start", "as_of", "month12_months"}
_REPORT_KEYS = {"min_cell", "audience"}


# --------------------------------------------------------------------------------------------
# validators of one setting: each raises ConfigError naming ``config <section>.<key>`` and the
# value (ConfigError is not a ValueError, so pydantic passes it through unchanged)


def _where(section: str | None, key: str | None, info: ValidationInfo) -> tuple[str, str]:
    return (section or (info.context or {}).get("section", "?"), key or info.field_name)


def _number(section: str | None = None, key: str | None = None, **rules) -> BeforeValidator:
    """``_num`` under ``config <section>.<key>`` (None: the context's section, the field name)."""
    return BeforeValidator(lambda value, info: _num(*_where(section, key, info), value, **rules))


def _iso_date(section: str | None = None, key: str | None = None) -> BeforeValidator:
    return BeforeValidator(lambda value, info: _date(*_where(section, key, info), value))


def _flag(section: str, key: str | None = None) -> BeforeValidator:
    return BeforeValidator(lambda value, info: _bool(*_where(section, key, info), value))


def _report_value(key: str) -> BeforeValidator:
    """``report.min_cell`` or ``report.audience``, checked by the run-parameter model."""
    return BeforeValidator(lambda value: check_run_parameter(
        key, value, lambda reason: ConfigError(f"config report.{key}: {reason}")))


def _severity_table(table) -> str:
    if table not in SEVERITY_TABLES:
        raise ConfigError(f"config risk.severity_table: {table!r} is not one of "
                          f"{list(SEVERITY_TABLES)}")
    return table


def _severity_weights(value, info: ValidationInfo) -> Mapping[str, float]:
    sev = (info.context or {}).get("severity_tables")
    if sev is None or "severity_table" not in info.data:
        return value
    table = info.data["severity_table"]
    return dict(zip(sev["offence_category"], sev[table].astype(float)))


def _matrix_points(value, info: ValidationInfo) -> Mapping[str, float]:
    sev = (info.context or {}).get("severity_tables")
    if sev is None:
        return value
    points = value or {}
    sec = info.context["section"]
    return {c: _num(sec, f"points.{c}", points.get(c, 0), minimum=0)
            for c in set(sev["offence_category"])}


class _Settings(BaseModel):
    """A validated part of the configuration: frozen, every default checked like a value."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True,
                              arbitrary_types_allowed=True)


# --------------------------------------------------------------------------------------------
# the configuration


class RiskConfig(_Settings):
    """Settings of the recency- and severity-weighted risk score (domain-notes §2).

    ``risk(i, t) = sum_o severity(o) * (1 + weapon_uplift * weapon(o)) * 0.5 ** (age / half_life)``
    over offences ``o`` of person ``i`` with ``t - window_days < date(o) <= t``. Built from the
    ``risk`` section; ``severity`` holds the weights of the chosen column of the severity tables.
    """

    severity_table: Annotated[str, BeforeValidator(_severity_table)] = "ons_css"
    severity: Annotated[Mapping[str, float], BeforeValidator(_severity_weights)] = Field(
        default_factory=dict)
    window_days: Annotated[int, _number("risk", integer=True, positive=True)] = 365
    half_life_days: Annotated[float, _number("risk", positive=True)] = 180.0
    weapon_uplift: Annotated[float, _number("risk", minimum=0)] = 0.5
    prefer_imported: Annotated[bool, _flag("risk")] = True
    #: an imported score holds from its date until the person's next one, for at most this
    #: many days; after that the computed score is used (sparse exports do not last forever)
    imported_valid_days: Annotated[int, _number("risk", integer=True, positive=True)] = 365

    @model_validator(mode="before")
    @classmethod
    def _risk_section(cls, data, info: ValidationInfo):
        if (info.context or {}).get("severity_tables") is None:
            return data                         # built directly, not from a file
        r = _section({"risk": data}, "risk", _RISK_KEYS)
        if r.get("method", "weighted") not in RISK_METHODS:
            raise ConfigError(f"config risk.method: {r.get('method')!r} is not one of "
                              f"{list(RISK_METHODS)}")
        return {k: v for k, v in r.items() if k != "method"}


class MatrixVersion(_Settings):
    """One effective-dated version of the selection matrix (``matrix.versions[i]``)."""

    name: str
    effective_from: Annotated[pd.Timestamp, _iso_date()] = None
    threshold: Annotated[float, _number(positive=True)] = None
    weapon_points: Annotated[float, _number(minimum=0)] = 0
    points: Annotated[Mapping[str, float], BeforeValidator(_matrix_points)] = None

    @model_validator(mode="before")
    @classmethod
    def _version_entry(cls, v, info: ValidationInfo):
        ctx = info.context or {}
        if ctx.get("severity_tables") is None:
            return v
        sec, cats = ctx["section"], set(ctx["severity_tables"]["offence_category"])
        if not isinstance(v, Mapping):
            raise ConfigError(f"config {sec}: expected a mapping, got {v!r}")
        unknown = set(v) - _VERSION_KEYS
        if unknown:
            raise ConfigError(f"config {sec}: unknown key(s) {sorted(unknown)}; valid: "
                              f"{sorted(_VERSION_KEYS)}")
        unknown = set(v.get("points") or {}) - cats
        if unknown:
            raise ConfigError(f"config {sec}.points: unknown offence categories "
                              f"{sorted(unknown)}; valid: {sorted(cats)}")
        return {**v, "name": str(v.get("name", ctx["index"]))}


def _matrix_versions(entries, context: Mapping) -> tuple[MatrixVersion, ...]:
    versions = [MatrixVersion.model_validate(
        v, context={**context, "section": f"matrix.versions[{i}]", "index": i})
        for i, v in enumerate(entries or [])]
    if not versions:
        raise ConfigError("config matrix.versions: at least one version is needed")
    names = [v.name for v in versions]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ConfigError(f"config matrix.versions: version name(s) {dup} appear twice")
    return tuple(sorted(versions, key=lambda v: v.effective_from))


class Config(_Settings):
    """The validated configuration (``iomlib/config/default.yaml`` with a force's file over it).

    Build it with :func:`load_config` (or ``Config.model_validate(raw, context=
    {"severity_tables": table})``); sections are checked in the order risk, matrix, headline,
    report, and the first bad setting raises :class:`~iomlib.errors.ConfigError` naming it.

    Attributes
    ----------
    risk : RiskConfig
        The ``risk`` section.
    matrix_versions : tuple of MatrixVersion
        ``matrix.versions``, sorted by ``effective_from``.
    audience : {"public", "restricted"}
        ``report.audience`` (checked like the run parameter of that name).
    matrix_window_days : int
    period_start, as_of : pandas.Timestamp
        ``headline.period_start`` and ``headline.as_of``.
    month12_months : int
    min_cell : int
        ``report.min_cell`` (checked like the run parameter of that name).
    severity_tables : pandas.DataFrame
    raw : mapping
        The merged YAML the configuration was built from.
    """

    risk: RiskConfig
    matrix_versions: tuple[MatrixVersion, ...]
    audience: Annotated[str, _report_value("audience")]
    matrix_window_days: Annotated[int, _number("matrix", "window_days", integer=True,
                                               positive=True)]
    period_start: Annotated[pd.Timestamp, _iso_date("headline")]
    as_of: Annotated[pd.Timestamp, _iso_date("headline")]
    month12_months: Annotated[int, _number("headline", integer=True, positive=True)]
    min_cell: Annotated[int, _report_value("min_cell")]
    severity_tables: pd.DataFrame
    raw: Mapping[str, Any]

    @model_validator(mode="before")
    @classmethod
    def _from_sections(cls, raw, info: ValidationInfo):
        unknown = set(raw) - _SECTIONS
        if unknown:
            raise ConfigError(f"config: unknown section(s) {sorted(unknown)}; valid: "
                              f"{sorted(_SECTIONS)}")
        risk = RiskConfig.model_validate(raw.get("risk"), context=info.context)
        m = _section(raw, "matrix", _MATRIX_KEYS)
        versions = _matrix_versions(m.get("versions"), info.context)
        h = _section(raw, "headline", _HEADLINE_KEYS)
        rep = _section(raw, "report", _REPORT_KEYS)
        run = RunParameters.defaults()
        return {"risk": risk, "matrix_versions": versions,
                "audience": rep.get("audience", run["audience"]),
                "matrix_window_days": m.get("window_days", 365),
                "period_start": h.get("period_start", "2016-01-01"),
                "as_of": h.get("as_of", "2020-01-31"),
                "month12_months": h.get("month12_months", 12),
                "min_cell": rep.get("min_cell", run["min_cell"]),
                "severity_tables": info.context["severity_tables"], "raw": dict(raw)}

    @property
    def categories(self) -> tuple[str, ...]:
        """The offence categories, in the order of the severity tables."""
        return tuple(self.severity_tables["offence_category"])

    def matrix_version_on(self, date, *, before_first: str = "earliest") -> MatrixVersion:
        """The matrix version in force on ``date``.

        Dates before the earliest version's ``effective_from`` (a real extract's offences go
        back decades) are scored under the **earliest** version, by definition: the data-quality
        ledger counts such offences (:mod:`iomlib.data.oddities`) and the reports say so.

        Parameters
        ----------
        date : str, date or Timestamp
        before_first : {"earliest", "error"}, default "earliest"
            What a date before the earliest version gets: that version, or a ``ConfigError``.

        Returns
        -------
        MatrixVersion

        Raises
        ------
        ConfigError
            ``before_first="error"`` and no version is in force yet on ``date``.
        """
        date = pd.Timestamp(date)
        live = [v for v in self.matrix_versions if v.effective_from <= date]
        if not live:
            if before_first == "earliest":
                return self.matrix_versions[0]
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


def _build(raw: Mapping, sev: pd.DataFrame) -> Config:
    return Config.model_validate(raw, context={"severity_tables": sev})


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
