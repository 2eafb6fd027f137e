"""The report runner: parameters, notebooks, rendering, workers, publishing."""
from iomlib._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "runner": (
        "EXIT_NOTEBOOK_FAILED NOTEBOOK_GLOB KERNEL_NAME COHORTS AUDIENCES "
        "DEFAULT_CELL_TIMEOUT Param PARAMETERS valid_parameters_text parse_assignment "
        "read_params_file notebook_parameters mask_secrets resolve_parameters Notebook "
        "default_notebook_dir discover_notebooks choose_kernel external_resources "
        "strip_external_scripts headings toc_html render_report finish_report "
        "run_notebook Progress new_run_dir publish index_html add_report_arguments "
        "check_parameters load_data pseudonym_environment identifier_redactions "
        "redact_file marking headline_metrics needs_data_first run_order force_slug "
        "main_report run_report"
    ),
})
