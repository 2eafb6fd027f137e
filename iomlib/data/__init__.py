"""Data: schema, sources, validation with the data-quality ledger, the Dataset, the synthetic force.

Flow: ``sources`` reads a folder, workbook or database -> ``validate`` checks it against
``schema`` and writes the ledger -> ``dataset.Dataset``; ``open.open_dataset`` is the one entry
point (the synthetic force from ``synth`` when no source is given).
"""
from iomlib._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "open": "default_dataset open_dataset",
    "dataset": "Dataset LEDGER_COLUMNS",
    "sources": "load_dataset read_tables",
    "csv": "read_csv_text",
    "validate": "Problem format_problems validate_tables",
    "synth": "SynthParams simulate simulate_national",
})
