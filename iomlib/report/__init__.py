"""The report runner: parameters, notebooks, rendering, workers, publishing.

Modules, in the order a run uses them: ``params`` (the parameters, read and checked),
``notebooks`` (discovery, run order), ``inputs`` (the data), ``audience`` (marking, pseudonym
key, redaction), ``kernel``, ``worker`` (the process pool: execute, audit, render), ``render``
(nbconvert with ``templates/``; ``contents`` and ``offline`` for the page), ``progress``,
``index`` (front page, headline figures), ``provenance``, ``rundir`` (the run folder and the
atomic ``latest``), ``forces`` (national datasets) and ``runner`` (the ``iom report`` command
and its steps).
"""
from iomlib._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "params": (
        "COHORTS AUDIENCES Param PARAMETERS valid_parameters_text parse_assignment "
        "read_params_file notebook_parameters mask_secrets resolve_parameters check_parameters"
    ),
    "notebooks": "NOTEBOOK_GLOB Notebook default_notebook_dir discover_notebooks run_order",
    "inputs": "load_data needs_data_first",
    "audience": "pseudonym_environment identifier_redactions redact_file marking",
    "kernel": "KERNEL_NAME choose_kernel",
    "offline": "external_resources strip_external_scripts",
    "contents": "headings toc_html",
    "render": "render_report finish_report",
    "worker": "run_notebook",
    "progress": "Progress",
    "rundir": "new_run_dir publish",
    "index": "index_html headline_metrics",
    "forces": "force_slug",
    "runner": (
        "EXIT_NOTEBOOK_FAILED DEFAULT_CELL_TIMEOUT add_report_arguments main_report run_report"
    ),
})
