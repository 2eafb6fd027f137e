"""iom-suite helper library, arranged in the order data flows.

``data`` (sources, validation and ledger, ``Dataset``, the synthetic force) -> ``risk`` (scores,
selection matrix) -> ``measures`` (the appendix figures) and ``impact`` (honest estimates) ->
``sdc`` (disclosure control) -> ``plots`` -> ``report`` (the runner). ``config`` holds the
validated settings; ``notebook.start`` is the analyst's one-line set-up; ``cli`` the ``iom``
command.
"""
from iomlib import _aliases

__version__ = "0.1.0"

_aliases.install()
