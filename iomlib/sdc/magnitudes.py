"""Dominance rules for published sums of magnitudes (summed harm, severity, offences).

A count of people is disclosive when it is small; a *sum* of magnitudes is disclosive when one or
two contributors dominate it, whatever the number of contributors: 120 units of harm of which
one offender's record gives 115 tells that offender's harm within a few points. Statistical
offices apply a dominance rule to such cells (Hundepool et al., *Statistical Disclosure
Control*, 2012, §4.2; ACRO and the SDAP handbook use the defaults here):

(n, k) rule
    The cell is sensitive when its ``n`` largest contributions make up more than ``k`` of the
    total (default n = 2, k = 0.9).
p% rule
    The cell is sensitive when the total minus the two largest contributions is less than ``p``
    of the largest (default p = 0.1): the second largest contributor could then estimate the
    largest to within p%.

A sum with fewer than ``min_cell`` contributors is hidden by the threshold rule anyway (its
count is small); these rules add cells whose count is large but whose sum is not safe.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Dominance:
    """The dominance rules in force for sums of magnitudes.

    Parameters
    ----------
    n : int, default 2
    k : float, default 0.9
        (n, k) rule: sensitive when the ``n`` largest contributions exceed ``k`` of the total.
    p : float, default 0.1
        p% rule: sensitive when the total minus the two largest is below ``p`` of the largest.
    """

    n: int = 2
    k: float = 0.9
    p: float = 0.1

    def sensitive(self, contributions) -> bool:
        """Whether a sum of these contributions must be hidden.

        Parameters
        ----------
        contributions : array-like of float
            One value per contributor (person or episode); missing values are ignored.

        Returns
        -------
        bool
        """
        x = np.abs(np.asarray(contributions, dtype=float))
        x = np.sort(x[~np.isnan(x)])[::-1]
        total = x.sum()
        if total <= 0:
            return False
        if x[: self.n].sum() > self.k * total:
            return True
        rest = total - x[:2].sum()
        return bool(rest < self.p * x[0])

    def describe(self) -> str:
        """The rules in words."""
        return (f"a sum is hidden when its {self.n} largest contributions exceed "
                f"{self.k:.0%} of it, or when the rest is less than {self.p:.0%} of the largest")
