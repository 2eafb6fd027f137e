"""What the run's audience allows: its marking, the pseudonym key, identifier redaction."""
from __future__ import annotations

import os
import re
from pathlib import Path


def pseudonym_environment(ctx: dict) -> dict:
    """Environment for the kernels so that a restricted run's pseudonyms are stable.

    Unless ``IOM_PSEUDONYM_KEY`` or ``IOM_PSEUDONYM_KEY_FILE`` is set already, a restricted
    run uses the key file ``<out>/.pseudonym-key`` (64 random hex digits, owner-only
    permissions), made by :func:`~iomlib.report.runner.run_report` on the first run once the
    parameters and data have been checked: the same person gets the same pseudonym in every run
    written to that folder, and nobody without the file can recompute them. Public runs show
    no identifiers and need no key.

    Parameters
    ----------
    ctx : dict
        From :func:`~iomlib.report.params.check_parameters`.

    Returns
    -------
    dict
        Variables to add to the kernels' environment (possibly empty).
    """
    from iomlib.sdc import KEY_ENV, KEY_FILE_ENV
    if ctx["parameters"]["audience"] != "restricted" or os.environ.get(KEY_ENV) \
            or os.environ.get(KEY_FILE_ENV):
        return {}
    return {KEY_FILE_ENV: str(ctx["out"].resolve() / ".pseudonym-key")}


def identifier_redactions(params: dict, env: dict) -> dict:
    """Identifiers given as parameters, and the pseudonyms that replace them in the outputs.

    A restricted run that does not show identifiers still needs the real ``person_id`` to find
    the nominal, and papermill writes parameters into the executed notebook; the runner
    replaces them there, and in the provenance, by the same keyed pseudonym the notebook shows.

    Parameters
    ----------
    params : dict
        Checked parameters.
    env : dict
        The kernels' extra environment (it may name the key file).

    Returns
    -------
    dict
        ``{raw identifier: pseudonym}``; empty for public runs (which take no identifier) and
        runs with ``show_identifiers``.
    """
    pid = params.get("person_id")
    if pid is None or params.get("audience") != "restricted" or params.get("show_identifiers"):
        return {}
    from iomlib.sdc import Disclosure, pseudonym_key
    key, _ = pseudonym_key({**os.environ, **env})
    return {pid: Disclosure("restricted", key=key).identifier(pid)}


def redact_file(path: str | Path, redactions: dict) -> int:
    """Replace whole-token occurrences of each raw identifier in a text file.

    Parameters
    ----------
    path : str or Path
    redactions : dict
        ``{raw identifier: replacement}``, from :func:`identifier_redactions`.

    Returns
    -------
    int
        How many occurrences were replaced.
    """
    if not redactions:
        return 0
    p = Path(path)
    text = p.read_text()
    total = 0
    for raw, new in redactions.items():
        text, n = re.subn(rf"(?<![A-Za-z0-9]){re.escape(raw)}(?![A-Za-z0-9])", new, text)
        total += n
    if total:
        p.write_text(text)
    return total


def marking(params: dict) -> str:
    """The protective-marking banner for the run's audience and suppression threshold.

    Parameters
    ----------
    params : dict
        Checked parameters (``audience``, ``min_cell``, ``show_identifiers``).

    Returns
    -------
    str
    """
    from iomlib.sdc import banner
    return banner(params["audience"], params["min_cell"],
                  show_identifiers=bool(params.get("show_identifiers")),
                  small_min_cell=bool(params.get("allow_small_min_cell")))


def ledger_environment(ctx: dict, scratch: Path) -> dict:
    """Environment for the kernels of a public run: where to write the disclosure ledger.

    The ledger (:mod:`iomlib.sdc.ledger`: the true cells of every released table and the
    fingerprints of published counts) is restricted: it goes to the run's private scratch
    folder, which is deleted at the end, unless ``IOM_SDC_AUDIT_DIR`` already names a folder
    (to keep it; it must not be a folder reports are published from).

    Parameters
    ----------
    ctx : dict
        From :func:`~iomlib.report.params.check_parameters`.
    scratch : Path
        The run's private scratch folder.

    Returns
    -------
    dict
        ``{"IOM_SDC_AUDIT_DIR": folder}`` for a public run (and ``IOM_ALLOW_SMALL_MIN_CELL=1``
        when ``allow_small_min_cell`` is given), else empty.
    """
    from iomlib.config.params import ALLOW_SMALL_MIN_CELL_ENV
    from iomlib.sdc.ledger import AUDIT_DIR_ENV
    params = ctx["parameters"]
    if params["audience"] != "public":
        return {}
    env = {AUDIT_DIR_ENV: os.environ.get(AUDIT_DIR_ENV) or str(scratch / "sdc-ledger")}
    if params.get("allow_small_min_cell"):
        # the notebooks do not declare it: the kernels learn of the override this way
        env[ALLOW_SMALL_MIN_CELL_ENV] = "1"
    return env


def ledger_audit(env: dict, params: dict, notebooks: dict) -> dict:
    """The interval and cross-table audits of a public run (:func:`iomlib.sdc.ledger.audit_run`).

    Parameters
    ----------
    env : dict
        The kernels' environment (names the ledger).
    params : dict
        Checked parameters.
    notebooks : dict
        ``{notebook name: executed .ipynb path}``.

    Returns
    -------
    dict
        ``{notebook name: [problems]}``; empty for a restricted run or when the run passes.
    """
    from iomlib.sdc.ledger import AUDIT_DIR_ENV, audit_run
    d = env.get(AUDIT_DIR_ENV)
    if params.get("audience") != "public" or not d or not Path(d).is_dir():
        return {}
    return audit_run(d, params["min_cell"], notebooks)
