"""Old flat module names (before the library was arranged by pipeline stage) keep importing.

``import iomlib.cohort`` gives ``iomlib.measures.cohort`` with a ``DeprecationWarning`` naming
the new home. The table is the record of what moved (see CONTRIBUTING.md).
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings

MOVED = {
    "iomlib.dataset": "iomlib.data.dataset",
    "iomlib.load": "iomlib.data.sources",
    "iomlib.validate": "iomlib.data.validate",
    "iomlib.schema": "iomlib.data.schema",
    "iomlib.synth": "iomlib.data.synth",
    "iomlib.matrix": "iomlib.risk.matrix",
    "iomlib.cohort": "iomlib.measures.cohort",
    "iomlib.reduction": "iomlib.measures.reduction",
    "iomlib.curves": "iomlib.measures.curves",
    "iomlib.dv": "iomlib.measures.dv",
    "iomlib.survey": "iomlib.measures.survey",
    "iomlib.headline": "iomlib.measures.headline",
    "iomlib.national": "iomlib.measures.national",
    "iomlib.stats": "iomlib.measures.stats",
    "iomlib.impact_panel": "iomlib.impact.panel",
    "iomlib.impact_cs": "iomlib.impact.cs",
    "iomlib.impact_stats": "iomlib.impact.models",
    "iomlib.impact.estimators": "iomlib.impact",
    "iomlib.disclosure": "iomlib.sdc",
    "iomlib.provenance": "iomlib.report.provenance",
}


class _Alias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finder and loader that answer an old name with the module at its new home."""

    def __init__(self):
        self._specs = {}

    def find_spec(self, fullname, path=None, target=None):
        if fullname not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec):
        new = MOVED[spec.name]
        warnings.warn(f"{spec.name} moved to {new}", DeprecationWarning, stacklevel=2)
        module = importlib.import_module(new)
        self._specs[spec.name] = module.__spec__
        return module

    def exec_module(self, module):
        """Nothing to run; give the module back its own spec, which the import system replaced."""
        module.__spec__ = self._specs.pop(module.__spec__.name, module.__spec__)


def install() -> None:
    """Put the alias finder on ``sys.meta_path`` once."""
    if not any(isinstance(f, _Alias) for f in sys.meta_path):
        sys.meta_path.append(_Alias())
