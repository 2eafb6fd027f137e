"""The run's appendix: one document (``appendix.html`` and ``appendix.pdf``) a reviewer files.

Built once as a content model (:mod:`.content`: findings, tables, figures, annex) from what the
run already computed (``metrics.json``, the executed notebooks' figures, the data-quality
ledger), then written as a self-contained HTML page (:mod:`.html`) and an A4 PDF through the
Typst compiler shipped in the ``typst`` wheel (:mod:`.typst`). Labels and units of every measure
come from one table (:mod:`.labels`); number formatting from :mod:`.tables`; the change since
the previous report from :mod:`.compare`.
"""
from iomlib._lazy import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "build": "build_appendix",
    "audit": "audit_appendix",
})
