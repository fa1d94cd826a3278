"""Target split (目标分解): annual targets to months and children, roll-ups and consistency checks.

=============  ==================================================================
``split``      :func:`largest_remainder`, :func:`split_annual` (one annual target to 12
               months: equal, seasonal, a distribution), :func:`split_to_children`
``monthly``    :func:`monthly_targets` (the canonical targets table, one row per month),
               :func:`rollup` (to fiscal quarters or years)
``checks``     :func:`target_mismatches` (children that do not add up to their parent),
               :func:`known_unit_targets` (targets of units found nowhere)
``growth``     :func:`prior_year_growth` (targets = last year's actuals x (1 + growth))
=============  ==================================================================

Every split rounds with the largest-remainder (Hamilton) method, so the rounded
parts always add up exactly to the rounded whole (in units of ``10**-decimals``).
"""

from __future__ import annotations

from .checks import (
    _rep_teams,  # noqa: F401 - salesnb.progress imports it from here
    known_unit_targets,
    target_mismatches,
)
from .growth import prior_year_growth
from .monthly import MONTHLY_TARGET_COLUMNS, TARGET_COLUMNS, monthly_targets, rollup
from .split import COUNT_METRICS, largest_remainder, split_annual, split_decimals, split_to_children

__all__ = ["TARGET_COLUMNS", "MONTHLY_TARGET_COLUMNS", "largest_remainder", "split_annual",
           "split_to_children", "monthly_targets", "rollup", "target_mismatches",
           "prior_year_growth", "COUNT_METRICS", "split_decimals", "known_unit_targets"]
