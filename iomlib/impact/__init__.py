"""Impact: the honest estimates beside the naive figures (panel, models, estimators)."""
from iomlib._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "estimators": (
        "ESTIMAND SUMMARY_COLUMNS MAIN_METHOD prepare EligibleBenchmark EventStudy "
        "plot_event_study plot_survival CountModels StructuralRate JDL_INCONCLUSIVE "
        "JDL_SIGNIFICANT jdl_wording JusticeDataLab ImpactResults impact_table "
        "impact_headline add_impact_arguments main_impact"
    ),
})
