"""Statistical disclosure control: suppression, pseudonyms, the Disclosure policy, audit."""
from iomlib._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "policy": (
        "AUDIENCES DEFAULT_MIN_CELL SUPPRESSED_SYMBOL MEASURE_DERIVED CURVE_VALUES "
        "IDENTIFIER_COLUMNS KEY_ENV KEY_FILE_ENV WITHHELD_MARKER derivable_cells "
        "suppress_table suppress_measures suppress_curve suppress_headline fold_hidden "
        "display_table pseudonymise scan_for_identifiers banner new_key_file "
        "pseudonym_key Disclosure audit_notebook"
    ),
})
