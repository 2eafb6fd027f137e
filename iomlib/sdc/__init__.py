"""Statistical disclosure control: suppression, pseudonyms, the Disclosure policy, audit.

``suppress`` hides small cells of tables, measure rows and curves (``secondary`` holds the
complementary-suppression engine on the relations a reader sees); ``pseudonyms`` makes keyed
pseudonyms and finds identifiers in outputs; ``policy`` is the :class:`Disclosure` object every
notebook table passes through, with the banner and the notebook guard; ``audit`` is what the
report runner checks and suppresses in a run's outputs before a public release; ``intervals``
is the attacker's interval audit, ``ledger`` the restricted record of a public run and its
cross-table audit, ``magnitudes`` the dominance rule for sums, ``export`` the files guard.
"""
from iomlib._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "suppress": (
        "DEFAULT_MIN_CELL SUPPRESSED_SYMBOL MEASURE_DERIVED CURVE_VALUES suppress_table "
        "suppress_measures suppress_curve fold_hidden display_table"
    ),
    "secondary": "derivable_cells",
    "pseudonyms": (
        "IDENTIFIER_COLUMNS KEY_ENV KEY_FILE_ENV pseudonymise scan_for_identifiers new_key_file "
        "pseudonym_key"
    ),
    "policy": "AUDIENCES WITHHELD_MARKER banner Disclosure",
    "audit": "audit_notebook suppress_headline",
    "intervals": "Margin cell_intervals",
    "magnitudes": "Dominance",
    "ledger": "AUDIT_DIR_ENV audit_run",
    "export": "export_table install_export_guard remove_export_guard",
})
