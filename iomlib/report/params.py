"""Report parameters: the valid parameters, how they are read, checked and merged.

The parameters are declared once, in :class:`iomlib.config.params.RunParameters` (type, default,
help text, validation, rules between parameters); :data:`PARAMETERS` is the view of that model
the runner shows (``--help``, error messages). A notebook may declare more in its
``parameters`` cell (:func:`notebook_parameters`). :func:`resolve_parameters` merges the
``--params`` file, ``--data``/``-p`` and the configuration's defaults and checks every value
through the model; :func:`check_parameters` does everything ``iom report`` checks before it
starts any process.
"""
from __future__ import annotations

import ast
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from iomlib.config.params import (
    AUDIENCES,  # noqa: F401  (re-exported by iomlib.report)
    COHORTS,  # noqa: F401  (re-exported by iomlib.report)
    RunParameters,
    config_defaults,
    cross_field_problems,
    unknown_parameter,
)
from iomlib.errors import IomError, ParameterError


@dataclass(frozen=True)
class Param:
    """One report parameter, as declared by :class:`~iomlib.config.params.RunParameters`.

    Attributes
    ----------
    name : str
        Name of the variable in the notebooks' ``parameters`` cell.
    default : object
        Value used when neither the parameters file nor ``-p`` sets it.
    help : str
        One-line description (shown in error messages).
    choices : tuple of str
        Allowed values of a choice parameter.
    """

    name: str
    default: Any
    help: str
    choices: tuple[str, ...] = ()


#: Every parameter the notebooks understand, from the run-parameter model.
PARAMETERS: dict[str, Param] = {
    name: Param(name, f.default, f.description, RunParameters.choices(name))
    for name, f in RunParameters.model_fields.items()}

#: ``://user:password@`` in a URL.
_PASSWORD = re.compile(r"://[^:/@\s]+:[^@/\s]+@")
_NOT_LITERAL = object()


def valid_parameters_text(extra: dict | None = None) -> str:
    """The list of valid parameters, one per line, for error messages and ``--help``.

    Parameters
    ----------
    extra : dict, optional
        ``{name: default}`` of further parameters declared by the notebooks.

    Returns
    -------
    str
    """
    lines = []
    for p in PARAMETERS.values():
        choice = f" ({'|'.join(p.choices)})" if p.choices else ""
        lines.append(f"  {p.name} = {p.default!r}: {p.help}{choice}")
    for name, default in sorted((extra or {}).items()):
        shown = "?" if default is _NOT_LITERAL else repr(default)
        lines.append(f"  {name} = {shown}: declared by a notebook")
    return "valid parameters:\n" + "\n".join(lines)


def parse_assignment(text: str) -> tuple[str, str]:
    """Split a ``-p key=value`` argument.

    Parameters
    ----------
    text : str

    Returns
    -------
    (str, str)
        The key (stripped) and the value (as typed).

    Raises
    ------
    ParameterError
        There is no ``=`` or the key is empty.
    """
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ParameterError(f"-p {text!r}: expected key=value, e.g. -p as_of=2020-01-31\n"
                             + valid_parameters_text())
    return key.strip(), value


def read_params_file(path: str | Path) -> dict:
    """Read a YAML parameters file: a mapping of parameter names to values.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    dict

    Raises
    ------
    ParameterError
        The file is missing, not YAML, or not a mapping.
    """
    import yaml
    p = Path(path)
    try:
        raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParameterError(f"parameters file {p} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ParameterError(f"parameters file {p} cannot be read: {exc}") from None
    except yaml.YAMLError as exc:
        raise ParameterError(f"parameters file {p} is not valid YAML: {exc}") from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ParameterError(f"parameters file {p}: expected a mapping such as 'as_of: "
                             f"2020-01-31' at top level, found {type(raw).__name__}")
    return {str(k): v for k, v in raw.items()}


def notebook_parameters(path: str | Path) -> dict | None:
    """The parameters a notebook declares in its cell tagged ``parameters``.

    Parameters
    ----------
    path : str or Path
        An ``.ipynb`` file.

    Returns
    -------
    dict or None
        ``{name: default}`` in the order assigned (a default that is not a Python literal is
        returned as an opaque marker); ``None`` when the notebook has no ``parameters`` cell.

    Raises
    ------
    IomError
        The notebook is not valid JSON or its parameters cell is not valid Python.
    """
    path = Path(path)
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IomError(f"notebook {path} cannot be read: {exc}") from None
    for cell in nb.get("cells", []):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.get("cell_type") != "code" or "parameters" not in tags:
            continue
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else str(src)
        src = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                        for line in src.splitlines())
        try:
            tree = ast.parse(src)
        except SyntaxError as exc:
            raise IomError(f"notebook {path}: the parameters cell is not valid Python "
                           f"(line {exc.lineno}: {exc.msg})") from None
        out: dict = {}
        for node in tree.body:
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets, value = [node.target], node.value
            else:
                continue
            for t in targets:
                if isinstance(t, ast.Name):
                    try:
                        out[t.id] = ast.literal_eval(value)
                    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                        out[t.id] = _NOT_LITERAL
        return out
    return None


def mask_secrets(params: dict) -> dict:
    """Parameters for display: a password in a database URL is replaced by ``***``.

    Parameters
    ----------
    params : dict

    Returns
    -------
    dict
        A copy; only string values containing ``://user:password@`` change.
    """
    from iomlib.data.sources import mask_url
    return {k: mask_url(v) if isinstance(v, str) and _PASSWORD.search(v) else v
            for k, v in params.items()}


def _check_extra(name: str, value, default, from_cli: bool):
    """Check a parameter that only a notebook declares: the type must match its default."""
    import yaml
    if from_cli and isinstance(value, str) and not isinstance(default, str):
        try:
            value = yaml.safe_load(value) if value.strip() else None
        except yaml.YAMLError:
            pass
    if default is _NOT_LITERAL or default is None or value is None:
        return value
    want = type(default)
    if want is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, want) or (isinstance(value, bool) and want is not bool):
        raise ValueError(f"{value!r} is not a {want.__name__} like the notebook's default "
                         f"{default!r}")
    return value


def resolve_parameters(file_values: dict | None = None, cli_values: dict | None = None, *,
                       declared: dict | None = None, config_defaults: dict | None = None,
                       base: str | Path | None = None) -> dict:
    """Merge and validate report parameters; every problem is reported at once.

    Parameters
    ----------
    file_values : dict, optional
        Values from the ``--params`` YAML file (typed by YAML).
    cli_values : dict, optional
        Values from ``--data`` and ``-p key=value`` (strings); these win over the file.
    declared : dict, optional
        ``{name: default}`` of all parameters the notebooks declare; names not in
        :data:`PARAMETERS` are accepted too, checked against the type of their default.
    config_defaults : dict, optional
        Defaults taken from the configuration file (``as_of``, ``period_start``, ``min_cell``,
        ``audience``); used where neither the file nor the command line sets a value.
    base : str or Path, optional
        Folder that relative paths are relative to (default: the current directory).

    Returns
    -------
    dict
        Every parameter of :data:`PARAMETERS` plus each given notebook-only parameter, with
        checked and normalised values (dates ``YYYY-MM-DD``, paths absolute).

    Raises
    ------
    ParameterError
        Unknown names (with the closest valid name) or bad values, with the valid parameters.
    """
    base = Path(base) if base is not None else Path.cwd()
    extra_declared = {k: v for k, v in dict(declared or {}).items() if k not in PARAMETERS}
    given, problems = _given_values(file_values, cli_values,
                                    list(PARAMETERS) + sorted(extra_declared))
    values, sources = {}, {}
    for name, p in PARAMETERS.items():
        if name in given:
            values[name], sources[name] = given[name]
        elif config_defaults and name in config_defaults:
            values[name], sources[name] = config_defaults[name], "configuration"
        else:
            values[name], sources[name] = p.default, "default"
    out, bad = RunParameters.check_values(values, base=base, sources=sources, rules=False)
    problems += bad
    for name, default in extra_declared.items():
        if name in given:
            value, source = given[name]
            try:
                out[name] = _check_extra(name, value, default, source == "command line")
            except ValueError as exc:
                problems.append(f"parameter {name} ({source}): {exc}")
    problems += cross_field_problems(out)
    if problems:
        raise ParameterError("bad report parameters:\n  " + "\n  ".join(problems) + "\n"
                             + valid_parameters_text(extra_declared))
    return out


def _given_values(file_values, cli_values, valid: list[str]) -> tuple[dict, list[str]]:
    """``{name: (value, source)}`` of the given values (the command line wins over the file),
    and a problem line for each unknown name, with the closest valid name."""
    problems: list[str] = []
    given: dict[str, tuple[Any, str]] = {}
    for source, values in (("parameters file", file_values or {}),
                           ("command line", cli_values or {})):
        for name, value in values.items():
            if name not in valid:
                problems.append(unknown_parameter(name, valid, source))
                continue
            given[name] = (value, source)
    return given, problems


def check_parameters(args) -> dict:
    """Everything ``iom report`` checks before it starts any process (no data is read).

    Parameters
    ----------
    args : argparse.Namespace
        As parsed by :func:`add_report_arguments`.

    Returns
    -------
    dict
        ``notebooks`` (selected), ``notebook_dir``, ``parameters`` (checked), ``config``
        (:class:`~iomlib.config.Config` with the parameters applied), ``jobs``, ``out``.

    Raises
    ------
    IomError
        Bad parameters (:class:`~iomlib.errors.ParameterError`) or configuration.
    """
    from iomlib.report.notebooks import default_notebook_dir, discover_notebooks
    jobs = args.jobs if args.jobs is not None else (os.cpu_count() or 1)
    if jobs < 1:
        raise ParameterError(f"--jobs {jobs}: expected 1 or more")
    if args.timeout is not None and args.timeout <= 0:
        raise ParameterError(f"--timeout {args.timeout}: expected a positive number of seconds")
    nb_dir = Path(args.notebook_dir) if args.notebook_dir else default_notebook_dir()
    discovered = discover_notebooks(nb_dir)
    notebooks = discover_notebooks(nb_dir, args.notebooks) if args.notebooks else discovered
    declared: dict = {}
    for nb in discovered:
        for k, v in (nb.declared or {}).items():
            declared.setdefault(k, v)
    file_values = read_params_file(args.params) if args.params else {}
    cli: dict = {}
    if args.data is not None:
        cli["data"] = args.data
    for item in args.param or []:
        k, v = parse_assignment(item)
        if k == "data" and args.data is not None and v != args.data:
            raise ParameterError(f"data given twice: --data {args.data} and -p data={v}")
        cli[k] = v
    # the configuration file supplies defaults for as_of, period_start, min_cell and audience
    probe = resolve_parameters(file_values, cli, declared=declared)
    defaults = config_defaults(probe["config"])
    given = set(file_values) | set(cli)
    params = resolve_parameters(file_values, cli, declared=declared,
                                config_defaults={k: v for k, v in defaults.items()
                                                 if k not in given})
    from iomlib.config.settings import run_config
    cfg = run_config(RunParameters.model_construct(**{k: params[k] for k in PARAMETERS}))
    if params["audience"] == "public":
        skipped = [nb.name for nb in notebooks if "person_id" in (nb.declared or {})]
        notebooks = [nb for nb in notebooks if "person_id" not in (nb.declared or {})]
        for name in skipped:
            print(f"iom report: {name} skipped: restricted audiences only (audience=public)",
                  file=sys.stderr)
        if not notebooks:
            raise ParameterError("audience=public: every selected notebook is for restricted "
                                 "audiences only")
    latest = Path(args.out) / "latest"
    if latest.exists() and not latest.is_symlink():
        raise IomError(f"{latest} exists and is not a symlink; move it away so that it can "
                       f"point to the latest good run")
    return {"notebooks": notebooks, "notebook_dir": nb_dir, "parameters": params,
            "config": cfg, "jobs": min(jobs, len(notebooks)), "out": Path(args.out),
            "given": sorted(given)}

