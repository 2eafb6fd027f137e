"""The report runner: parameters, notebooks, rendering, workers, publishing."""
from iomlib._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "params": (
        "COHORTS AUDIENCES Param PARAMETERS valid_parameters_text parse_assignment "
        "read_params_file notebook_parameters mask_secrets resolve_parameters check_parameters"
    ),
    "notebooks": "NOTEBOOK_GLOB Notebook default_notebook_dir discover_notebooks",
    "runner": (
        "EXIT_NOTEBOOK_FAILED KERNEL_NAME "
        "DEFAULT_CELL_TIMEOUT choose_kernel external_resources "
        "strip_external_scripts headings toc_html render_report finish_report "
        "run_notebook Progress new_run_dir publish index_html add_report_arguments "
        "load_data pseudonym_environment identifier_redactions "
        "redact_file marking headline_metrics needs_data_first run_order force_slug "
        "main_report run_report"
    ),
})
