"""Measures: the appendix figures as tidy tables with n and definitions."""
from iomlib._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "rows": "MEASURE_COLUMNS measure_row",
    "episodes": "select_episodes cohort_list",
})
