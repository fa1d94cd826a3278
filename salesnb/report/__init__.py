"""Prepare a run once, cache it, and give each report notebook its own slice.

:func:`prepare` computes every table of a run from a loaded :class:`salesnb.io.Dataset`
(the monthly cube, actuals, monthly targets, progress, attribution, projections,
alerts, tiers); :mod:`salesnb.cache` keeps them as Parquet in the run folder and slices
one team's rows (re-exported here). :func:`open_team_report` and
:func:`open_company_report` give a notebook its report object, whose blocks are the
methods of :class:`salesnb.views.TeamReport` and :class:`salesnb.views.CompanyReport`.

==============  ==============================================================
``prepare``     :func:`prepare` every table of a run, :func:`load_prepared`
``units``       :func:`teams_of`, :func:`scorecard_reps`, :func:`unit_slug` (file names)
``notebook``    what a report notebook calls: :func:`notebook_params`, ``open_*``
==============  ==============================================================
"""

from __future__ import annotations

from ..cache import read_cache, team_slice, write_cache
from ..params import PARAM_DEFAULTS
from .notebook import notebook_params, open_company_report, open_rep_scorecard, open_team_report
from .prepare import annual_targets, load_prepared, prepare
from .units import scorecard_reps, slugify, teams_of, unit_slug

__all__ = ["PARAM_DEFAULTS", "prepare", "write_cache", "read_cache", "team_slice",
           "annual_targets", "teams_of", "slugify", "unit_slug", "load_prepared",
           "open_team_report", "open_company_report", "notebook_params", "open_rep_scorecard",
           "scorecard_reps"]
