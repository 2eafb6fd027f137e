"""Tests of iomlib.sdc.secondary: the linear-algebra check of which hidden cells are derivable."""
from __future__ import annotations

import numpy as np

from iomlib.sdc.secondary import _Line, derivable_cells


def test_derivable_cells_finds_the_bridge():
    # cells 0..3 form a cycle, so do 5..8; cell 4 links them (two lines each side)
    lines = [_Line([0, 1, 4], [1, 1, 1]), _Line([2, 3], [1, 1]), _Line([0, 2], [1, 1]),
             _Line([1, 3], [1, 1]), _Line([4, 5, 6], [1, 1, 1]), _Line([7, 8], [1, 1]),
             _Line([5, 7], [1, 1]), _Line([6, 8], [1, 1])]
    hidden = np.ones(9, dtype=bool)
    assert derivable_cells(hidden, lines) == [4]
    hidden[4] = False
    assert derivable_cells(hidden, lines) == []
