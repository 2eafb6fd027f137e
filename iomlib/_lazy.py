"""Lazy re-exports for the sub-packages (PEP 562), so that importing one room is cheap.

A package's ``__init__`` declares which of its modules holds each public name; the module is
imported only when the name is first used (``iomlib.measures.cohort`` does not pay for pandera,
``iomlib.report`` does not import papermill until a run starts).
"""
from __future__ import annotations

import importlib
import sys


def lazy_exports(package: str, exports: dict[str, str]):
    """Return ``(__getattr__, __dir__, __all__)`` for ``package``.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    exports : dict
        ``{submodule: "name1 name2 ..."}``: the public names each submodule provides.
    """
    where = {name: sub for sub, names in exports.items() for name in names.split()}

    def __getattr__(name: str):
        sub = where.get(name)
        if sub is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{sub}"), name)
        sys.modules[package].__dict__[name] = value  # later look-ups skip this hook
        return value

    def __dir__():
        return sorted(set(where) | set(exports))

    return __getattr__, __dir__, sorted(where)
