"""Plots: tidy frame first, keyword-only options, ``ax=None``, return the Axes."""
from iomlib._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "theme": "PALETTE LIKERT_COLOURS AT_RISK_GID SUPPRESSED_LABEL set_theme colours",
    "curves": "risk_curve",
    "reduction": "paired_scatter before_after reduction_vs_baseline",
    "counts": "bar_counts counts_over_time proportions stacked_shares",
    "survey": "likert_diverging",
    "matrix": "score_histogram versions_scatter",
    "nominal": "nominal_timeline",
    "national": "funnel_plot",
    "impact": "plot_event_study plot_survival",
})
