"""Configuration: the validated settings model, its defaults and the run parameters."""
from iomlib._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "settings": (
        "SEVERITY_TABLES RISK_METHODS RiskConfig MatrixVersion Config "
        "read_severity_tables load_config default_config run_config"
    ),
    "params": (
        "COHORTS AUDIENCES RunParameters cross_field_problems unknown_parameter "
        "config_defaults check_run_parameter check_data check_file check_date "
        "check_positive_int check_person_id check_flag"
    ),
})
