"""The run parameters: the one place every parameter of a report run is declared.

:class:`RunParameters` is a pydantic model: each field carries its type, default, help text and
validator, and the model checks the rules between fields (``period_start`` not after ``as_of``;
``person_id`` and ``show_identifiers`` only for a restricted audience). Everything else reads the
parameters from here: the report runner (:mod:`iomlib.report.params`: ``PARAMETERS``, the
``--help`` text, ``resolve_parameters``), :func:`iomlib.notebook.start`, the configuration's
``report`` section (:mod:`iomlib.config.settings`) and disclosure control
(:mod:`iomlib.sdc.policy`), and a test checks that every notebook's ``parameters`` cell declares
only parameters of the model, with the model's defaults.

Values may come typed (YAML, Python) or as text (``-p key=value``); validators convert them
(dates to ``YYYY-MM-DD``, paths to absolute paths relative to the ``base`` folder given in the
validation context, choices to their canonical spelling) or raise :class:`ValueError` with the
reason, which callers prefix with the parameter's name and where the value came from.
"""
from __future__ import annotations

import datetime as _dt
import difflib
import functools
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, Optional, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from iomlib.data.schema import COHORTS as _DATA_COHORTS
from iomlib.errors import ParameterError

#: Cohort values understood by the notebooks (``all``, then the cohorts of the data schema).
COHORTS = ("all", *_DATA_COHORTS)
#: Audiences: ``public`` suppresses small cells and nominal detail.
AUDIENCES = ("public", "restricted")

_NULLS = ("", "none", "null", "~")


# --------------------------------------------------------------------------------------------
# validators: value -> normalised value, or ValueError(reason)


def _is_null(value) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() in _NULLS)


def _with_base(check):
    """A pydantic validator calling ``check(value, base)``, base from the validation context."""
    def validate(value, info: ValidationInfo):
        return check(value, (info.context or {}).get("base"))
    return validate


def _sqlite_url(s: str, base: Path) -> str:
    m = re.match(r"sqlite:///(?!/)(.+)$", s)
    if m and m.group(1) != ":memory:":  # relative SQLite file: make it absolute
        f = (base / m.group(1)).resolve()
        if not f.exists():
            raise ValueError(f"SQLite database {f} does not exist")
        return f"sqlite:///{f}"
    m = re.match(r"sqlite:////(.+)$", s)
    if m and not Path("/" + m.group(1)).exists():
        raise ValueError(f"SQLite database /{m.group(1)} does not exist")
    return s


def check_data(value, base: str | Path | None = None) -> str | None:
    """A data source: ``None`` (embedded data), an existing path (made absolute) or a URL.

    Parameters
    ----------
    value : str, Path or None
    base : str or Path, optional
        The folder relative paths are relative to (default: the current directory).

    Returns
    -------
    str or None
    """
    base = Path(base) if base is not None else Path.cwd()
    if _is_null(value) or str(value).strip().lower() in ("default", "synthetic"):
        return None
    s = str(value).strip()
    if "://" in s:
        return _sqlite_url(s, base)
    f = (base / s).resolve()
    if not f.exists():
        raise ValueError(f"{f} does not exist (expected a folder of CSV/Parquet files, "
                         f"an .xlsx workbook or an SQLAlchemy URL)")
    return str(f)


def check_file(value, base: str | Path | None = None) -> str | None:
    """An optional existing file, made absolute.

    Parameters
    ----------
    value : str, Path or None
    base : str or Path, optional
        The folder relative paths are relative to (default: the current directory).

    Returns
    -------
    str or None
    """
    if _is_null(value):
        return None
    base = Path(base) if base is not None else Path.cwd()
    f = (base / str(value).strip()).resolve()
    if not f.is_file():
        raise ValueError(f"{f} does not exist or is not a file")
    return str(f)


def check_date(value) -> str:
    """A date given as ``YYYY-MM-DD`` text or a date object, as ``YYYY-MM-DD``.

    Parameters
    ----------
    value : str, datetime.date or datetime.datetime

    Returns
    -------
    str
    """
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return value.isoformat()
    s = str(value).strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        raise ValueError(f"{value!r} is not a date in the form YYYY-MM-DD")
    try:
        return _dt.date.fromisoformat(s).isoformat()
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a valid date ({exc})") from None


def _choice(choices: tuple[str, ...]):
    def check(value) -> str:
        s = str(value).strip()
        for c in choices:
            if s.lower() == c.lower():
                return c
        close = difflib.get_close_matches(s, choices, n=1, cutoff=0.5)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"{value!r} is not one of {', '.join(choices)}{hint}")
    return check


def check_positive_int(value) -> int:
    """A whole number of at least 1 (an integer, a whole float or digits as text).

    Parameters
    ----------
    value : int, float or str

    Returns
    -------
    int
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a whole number")
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
        n = int(value)
    elif hasattr(value, "__index__"):            # int, numpy integers
        n = int(value)
    elif isinstance(value, float) and math.isfinite(value) and value == int(value):
        n = int(value)
    else:
        raise ValueError(f"{value!r} is not a whole number")
    if n < 1:
        raise ValueError(f"{value!r} must be a positive whole number (1 or more)")
    return n


def check_person_id(value) -> str | None:
    """An optional person identifier, as text.

    Parameters
    ----------
    value : str, int or None

    Returns
    -------
    str or None
    """
    if _is_null(value):
        return None
    if isinstance(value, (bool, float, list, dict)):
        raise ValueError(f"{value!r} is not a person identifier")
    return str(value).strip()


def check_flag(value) -> bool:
    """True or false, also as text (``true``/``yes``/``1``, ``false``/``no``/``0``/null).

    Parameters
    ----------
    value : bool or str

    Returns
    -------
    bool
    """
    if isinstance(value, bool):
        return value
    s = str(value).strip().lower()
    if s in ("true", "yes", "1"):
        return True
    if s in ("false", "no", "0") or _is_null(value):
        return False
    raise ValueError(f"{value!r} is not true or false")


# --------------------------------------------------------------------------------------------
# the model


def cross_field_problems(values: Mapping) -> list[str]:
    """The rules between parameters that ``values`` break (each as one line).

    Parameters
    ----------
    values : mapping
        Checked values; missing names are not compared.

    Returns
    -------
    list of str
    """
    problems = []
    if "as_of" in values and "period_start" in values and values["period_start"] > values["as_of"]:
        problems.append(f"parameter period_start {values['period_start']} is after as_of "
                        f"{values['as_of']}")
    if values.get("person_id") is not None and values.get("audience") == "public":
        problems.append("parameter person_id: a nominal profile identifies a person; it needs "
                        "audience=restricted")
    if values.get("show_identifiers") and values.get("audience") == "public":
        problems.append("parameter show_identifiers: identifiers are never shown to a public "
                        "audience; it needs audience=restricted")
    if (values.get("audience") == "public" and isinstance(values.get("min_cell"), int)
            and values["min_cell"] < PUBLIC_MIN_CELL and not small_min_cell_allowed(values)):
        problems.append(f"parameter min_cell={values['min_cell']}: below {PUBLIC_MIN_CELL} for a "
                        f"public audience; set allow_small_min_cell=true to override (the "
                        f"banner then says so)")
    return problems


#: The smallest ``min_cell`` a public report uses without ``allow_small_min_cell``.
PUBLIC_MIN_CELL = 10
#: Set to 1 by the report runner in the kernels of a run given ``allow_small_min_cell``.
ALLOW_SMALL_MIN_CELL_ENV = "IOM_ALLOW_SMALL_MIN_CELL"


def small_min_cell_allowed(values: Mapping | None = None) -> bool:
    """Whether a public ``min_cell`` below :data:`PUBLIC_MIN_CELL` was allowed.

    Parameters
    ----------
    values : mapping, optional
        Checked parameter values (``allow_small_min_cell``).

    Returns
    -------
    bool
        True when ``allow_small_min_cell`` is true, or the report runner passed it on to this
        kernel (``IOM_ALLOW_SMALL_MIN_CELL=1``).
    """
    import os
    return bool((values or {}).get("allow_small_min_cell")) \
        or os.environ.get(ALLOW_SMALL_MIN_CELL_ENV) == "1"


class RunParameters(BaseModel):
    """The parameters of one report run (and of every report notebook's ``parameters`` cell).

    Build it with :meth:`from_values` (every problem reported at once, as
    :class:`~iomlib.errors.ParameterError`) or :meth:`for_run` (defaults from the configuration
    file); check one value with :meth:`check`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    data: Annotated[Optional[str], BeforeValidator(_with_base(check_data))] = Field(
        None, description="dataset: folder of CSV/Parquet, .xlsx workbook or SQLAlchemy URL; "
                          "null = the embedded synthetic data")
    as_of: Annotated[str, BeforeValidator(check_date)] = Field(
        "2020-01-31", description="as-of date, YYYY-MM-DD")
    period_start: Annotated[str, BeforeValidator(check_date)] = Field(
        "2016-01-01", description="start of the reporting period, YYYY-MM-DD")
    cohort: Annotated[Literal[COHORTS], BeforeValidator(_choice(COHORTS))] = Field(
        "all", description="cohort analysed")
    config: Annotated[Optional[str], BeforeValidator(_with_base(check_file))] = Field(
        None, description="YAML configuration file; null = packaged defaults")
    min_cell: Annotated[int, BeforeValidator(check_positive_int)] = Field(
        10, description="smallest count shown; smaller cells are suppressed")
    audience: Annotated[Literal[AUDIENCES], BeforeValidator(_choice(AUDIENCES))] = Field(
        "restricted", description="who may read the reports")
    person_id: Annotated[Optional[str], BeforeValidator(check_person_id)] = Field(
        None, description="person profiled by the nominal-profile notebook; null = none "
                          "(restricted audience only)")
    show_identifiers: Annotated[bool, BeforeValidator(check_flag)] = Field(
        False, description="restricted audience only: show real identifiers instead of keyed "
                           "pseudonyms")
    allow_small_min_cell: Annotated[bool, BeforeValidator(check_flag)] = Field(
        False, description="public audience: allow min_cell below 10 (the banner says so)")

    @model_validator(mode="after")
    def _rules_between_fields(self) -> "RunParameters":
        problems = cross_field_problems(self.model_dump())
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @classmethod
    def defaults(cls) -> dict:
        """``{name: default}`` of every parameter, in declaration order.

        Returns
        -------
        dict
        """
        return {name: f.default for name, f in cls.model_fields.items()}

    @classmethod
    def choices(cls, name: str) -> tuple[str, ...]:
        """The allowed values of a choice parameter (empty for the others).

        Parameters
        ----------
        name : str

        Returns
        -------
        tuple of str
        """
        ann = cls.model_fields[name].annotation
        return tuple(get_args(ann)) if getattr(ann, "__origin__", None) is Literal else ()

    @classmethod
    def check(cls, name: str, value, *, base: str | Path | None = None):
        """Check and normalise one parameter's value.

        Parameters
        ----------
        name : str
            A field of the model.
        value : object
        base : str or Path, optional
            Folder relative paths are relative to (default: the current directory).

        Returns
        -------
        object
            The normalised value.

        Raises
        ------
        ValueError
            The value is bad; the message is the reason (without the parameter's name).
        """
        try:
            return _adapter(name).validate_python(value, context={"base": base})
        except ValidationError as exc:
            raise ValueError(_reason(exc)) from None

    @classmethod
    def check_values(cls, values: Mapping, *, base: str | Path | None = None,
                     sources: Mapping | None = None,
                     rules: bool = True) -> tuple[dict, list[str]]:
        """Check several values; every problem is collected.

        Parameters
        ----------
        values : mapping
            ``{name: value}``; names that are not parameters are reported.
        base : str or Path, optional
            Folder relative paths are relative to.
        sources : mapping, optional
            ``{name: where the value came from}``, quoted in the problems.
        rules : bool, default True
            Also check the rules between fields (:func:`cross_field_problems`) over the good
            values.

        Returns
        -------
        (dict, list of str)
            The checked values that are good, and one line per problem.
        """
        sources = sources or {}
        out: dict = {}
        problems: list[str] = []
        for name, value in values.items():
            if name not in cls.model_fields:
                problems.append(unknown_parameter(name, list(cls.model_fields),
                                                  sources.get(name)))
                continue
            try:
                out[name] = cls.check(name, value, base=base)
            except ValueError as exc:
                where = f" ({sources[name]})" if name in sources else ""
                problems.append(f"parameter {name}{where}: {exc}")
        return out, problems + (cross_field_problems(out) if rules else [])

    @classmethod
    def from_values(cls, values: Mapping | None = None, *, base: str | Path | None = None,
                    sources: Mapping | None = None) -> "RunParameters":
        """The validated parameters; unset ones take their defaults.

        Parameters
        ----------
        values : mapping, optional
            ``{name: value}``.
        base : str or Path, optional
            Folder relative paths are relative to.
        sources : mapping, optional
            ``{name: where the value came from}``, quoted in the problems.

        Returns
        -------
        RunParameters

        Raises
        ------
        ParameterError
            Unknown names (with the closest valid name) or bad values, all at once.
        """
        good, problems = cls.check_values({**cls.defaults(), **dict(values or {})}, base=base,
                                          sources=sources)
        if problems:
            raise ParameterError("bad run parameters:\n  " + "\n  ".join(problems))
        return cls.model_construct(**good)

    @classmethod
    def for_run(cls, *, base: str | Path | None = None, **given) -> "RunParameters":
        """The parameters of a run given as keywords; ``None`` = the configuration's value.

        ``as_of``, ``period_start``, ``min_cell`` and ``audience`` left ``None`` are taken from
        the configuration file (``config``, default the packaged one), the others from the
        model's defaults.

        Parameters
        ----------
        base : str or Path, optional
            Folder relative paths are relative to.
        **given
            Parameters of the model.

        Returns
        -------
        RunParameters

        Raises
        ------
        ParameterError
            Unknown names or bad values.
        IomError
            The configuration file is invalid.
        """
        given = {k: v for k, v in given.items() if v is not None}
        config = cls.from_values({"config": given.get("config")}, base=base).config
        defaults = {k: v for k, v in config_defaults(config).items() if k not in given}
        return cls.from_values({**defaults, **given}, base=base)

    def config_overrides(self) -> dict:
        """The parameters that override the configuration file, as ``run_config`` keywords.

        Returns
        -------
        dict
            ``as_of``, ``period_start``, ``min_cell`` and ``audience``.
        """
        return {k: getattr(self, k) for k in ("as_of", "period_start", "min_cell", "audience")}


@functools.cache
def _adapter(name: str) -> TypeAdapter:
    f = RunParameters.model_fields[name]
    return TypeAdapter(Annotated[(f.annotation, *f.metadata)])


def _reason(exc: ValidationError) -> str:
    err = exc.errors()[0]
    inner = (err.get("ctx") or {}).get("error")
    return str(inner) if inner is not None else err["msg"]


def unknown_parameter(name: str, valid, source: str | None = None) -> str:
    """The problem line for an unknown parameter, with the closest valid name.

    Parameters
    ----------
    name : str
    valid : sequence of str
        The valid names.
    source : str, optional
        Where the name was given (``"command line"``, ``"parameters file"``).

    Returns
    -------
    str
    """
    close = difflib.get_close_matches(name, list(valid), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    where = f" ({source})" if source else ""
    return f"unknown parameter {name!r}{where}{hint}"


def config_defaults(config_path: str | Path | None = None) -> dict:
    """The defaults a configuration file gives the run parameters.

    Parameters
    ----------
    config_path : str or Path, optional
        A YAML configuration file (default: the packaged configuration).

    Returns
    -------
    dict
        ``as_of``, ``period_start`` (``YYYY-MM-DD``), ``min_cell`` and ``audience``.
    """
    from iomlib.config.settings import load_config
    cfg = load_config(config_path)
    return {"as_of": cfg.as_of.date().isoformat(),
            "period_start": cfg.period_start.date().isoformat(),
            "min_cell": cfg.min_cell, "audience": cfg.audience}


def check_run_parameter(name: str, value: Any, error) -> Any:
    """Check one run parameter for another module, raising that module's own error.

    Parameters
    ----------
    name : str
        A field of :class:`RunParameters`.
    value : object
    error : callable
        ``error(reason) -> Exception`` raised (from ``None``) when the value is bad.

    Returns
    -------
    object
        The normalised value.
    """
    try:
        return RunParameters.check(name, value)
    except ValueError as exc:
        raise error(str(exc)) from None
