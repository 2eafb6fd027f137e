"""Configuration: the validated settings model and its defaults."""
from iomlib._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "settings": (
        "SEVERITY_TABLES RISK_METHODS RiskConfig MatrixVersion Config "
        "read_severity_tables load_config default_config run_config"
    ),
})
