"""Make a deterministic, realistic synthetic sales company in the canonical shape.

The company sells hardware, software, services, accessories and networking gear through
teams that belong to regions (East, West, ... or 华东, 华南, ...). Its data runs from 1 January
``years`` years before ``end`` through ``end``: full past years plus the current year to date.

What the data holds, so reports and tests can point at it (:func:`story` finds the actors):

* **seasonality** (February dip for the Spring Festival, a June bump, a Q4 peak with November
  and December highest; weekends quiet), **growth** of 8-15 % a year per team, and noise;
* **targets** set each year at last year's actual x 1.1 with per-unit variation, split to
  months by last year's shape, so current-year attainment is near 100 % for most reps, except
  **two under-performers** (56 % and 64 % of target this year) and **two over-performers**
  (about 140 %), their sales visibly down or up on last year;
* a **joiner** (first day mid-way through the current year, ramping up), a **leaver** (last day
  in the summer of last year; a teammate takes over the accounts) and a **mover** (changes
  team on the first day of a month this year: earlier sales count for the old team, later ones
  for the new);
* about 1 % **returns** (whole orders with negative quantity and amount, order id ``RT...``);
* customers that mostly buy from one rep (their account owner), new customers every month,
  opportunities with stages and outcomes, monthly spend per team and satisfaction surveys.

=============  ===============================================================
``cast``       the company's shape: teams, reps, products, seasons, customers
``tables``     org, targets, opportunities, spend and satisfaction from the sales
``company``    :func:`make_company`, the whole company
``story``      :func:`story`, the actors the data holds
``home``       :func:`sample_params`, the sample written once for notebooks without data
=============  ===============================================================
"""

from __future__ import annotations

from .cast import (
    DEFAULT_ROWS,
    SAMPLE_END,
    _largest_remainder,  # noqa: F401 - tests/test_sample.py imports it from here
)
from .company import make_company
from .home import sample_home, sample_params
from .story import story

__all__ = ["SAMPLE_END", "DEFAULT_ROWS", "make_company", "story", "sample_home", "sample_params"]
