"""Risk: the window-sum engine, offence weights and scores, the selection matrix."""
from iomlib._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "engine": (
        "offence_weights window_sums compute_scores score month_ends risk_matrix day_numbers "
        "risk_panel"
    ),
    "matrix": "matrix_points select_on compare_versions",
})
