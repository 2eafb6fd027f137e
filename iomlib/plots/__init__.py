"""Plots: tidy frame first, keyword-only options, ``ax=None``, return the Axes."""
from iomlib._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "core": (
        "PALETTE LIKERT_COLOURS AT_RISK_GID SUPPRESSED_LABEL set_theme colours "
        "risk_curve paired_scatter before_after reduction_vs_baseline bar_counts "
        "counts_over_time likert_diverging proportions score_histogram versions_scatter "
        "stacked_shares nominal_timeline funnel_plot"
    ),
    "impact": "plot_event_study plot_survival",
})
