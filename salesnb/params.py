"""The params spec: every key a params file may hold, declared once.

From :data:`SPEC` come the check of a params file (:func:`check_params`), the defaults
(:data:`PARAM_DEFAULTS`), the report notebooks' parameters cell (:func:`parameters_cell`,
used by ``tools/make_notebooks.py``), ``salesnb params`` (:func:`describe`) and the keys
the run keeps for itself (:data:`RUNNER_KEYS`). :func:`parse_params` reads a checked params
dict once into a frozen, typed :class:`RunParams`.

Light on purpose: pandas is imported only when a month or date is parsed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .exceptions import ParamsError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Param", "SPEC", "PARAM_DEFAULTS", "NOTEBOOK_KEYS", "RUNNER_KEYS", "RunParams",
           "DATA_KEYS", "check_params", "resolve_params", "parse_params", "parameters_cell",
           "describe"]


@dataclass(frozen=True)
class Param:
    """One params key: name, type, default, help, allowed values.

    ``notebook``: a report notebook's parameter (injected by papermill), else read by the
    run itself; ``accepts``: other types a params file may give.
    """

    name: str
    type: type
    default: Any
    help: str
    choices: tuple = ()
    notebook: bool = True
    accepts: tuple = ()  # other types a params file may give (a data key: a {url, table} mapping)


SPEC: tuple[Param, ...] = (
    Param("month", str, "", "report month, YYYY-MM (required by `salesnb run`)"),
    Param("as_of", str, "", "as-of date YYYY-MM-DD inside the month (empty: the month's last day)"),
    Param("period", str, "month", "month | week (weekly variant, with as_of)", ("month", "week")),
    Param("team", str, "", "team to report on (empty: the first team)"),
    Param("sales", str, "", "sales file: CSV, Excel or Parquet (or a database table)", accepts=(dict,)),
    Param("targets", str, "", "targets file (empty: none; see targets_rule)", accepts=(dict,)),
    Param("org", str, "", "org file: rep -> team (empty: none)", accepts=(dict,)),
    Param("opportunities", str, "", "opportunities for the funnel (optional)", accepts=(dict,)),
    Param("spend", str, "", "monthly spend per team for CAC (optional)", accepts=(dict,)),
    Param("satisfaction", str, "", "satisfaction scores (optional)", accepts=(dict,)),
    Param("columns", dict, {}, "column mapping per table: {sales: {date: OrderDate, rep: SalesPerson}}"),
    Param("fiscal_year_start", int, 1, "first month of the fiscal year (1-12)",
          tuple(range(1, 13))),
    Param("lang", str, "en", "report language: en | zh", ("en", "zh")),
    Param("currency", str, "$", "currency symbol shown before amounts"),
    Param("rates", dict, {}, "what one unit of another currency is worth in `currency`, e.g. "
          "{EUR: 1.08, GBP: 1.27}: amounts in mixed currencies are converted (README)"),
    Param("timezone", str, "", "reporting time zone, e.g. Europe/Berlin: timestamps with a UTC "
          "offset are converted to it (empty: the data's own clock)"),
    Param("stages", list, [], "opportunity stages in pipeline order (empty: Lead, Qualified, "
          "Proposal, Negotiation)"),
    Param("company", str, "Company", "the company's name in the reports"),
    Param("target_split", str, "equal", "how annual targets become monthly: equal | seasonal",
          ("equal", "seasonal")),
    Param("targets_rule", dict, {}, "when there are no targets: {rule: prior_year_growth, growth: 0.1}"),
    Param("thresholds", dict, {}, "alert thresholds, e.g. {behind_pace: -0.05, no_sales_days: 14}"),
    Param("tiers", dict, {}, "incentive tiers, e.g. {star: 1.2, achieved: 1.0, watch: 0.8}"),
    Param("gross_margin", float, 0.3, "gross margin used for CLTV"),
    Param("working_days", bool, False,
          "time progress in working days (Mon-Fri) instead of calendar days"),
    Param("holidays", list, [], "public holidays (YYYY-MM-DD) skipped when working_days is true"),
    Param("cache", str, "", "run cache folder written by `salesnb run` (leave empty when exploring)"),
    Param("out", str, "", "output folder, relative to the params file; {month} is replaced "
          "(empty: reports/{month})", notebook=False),
    Param("workers", int, 0, "report kernels run at once (0: one per CPU core; --workers "
          "overrides)", notebook=False),
    Param("engine", str, "auto", "where the sales are aggregated: auto | pandas | scan (DuckDB "
          "over large files, GROUP BY in the database)", ("auto", "pandas", "scan"), False),
    Param("scorecards", bool, True, "write a scorecard per rep (rep-<slug>.html) with a target "
          "or a sale this year (not with period: week)", notebook=False),
    Param("pdf", bool, False, "also write each report as PDF (headless Chromium; --pdf)", (), False),
    Param("recipients", dict, {}, "salesnb send: directors, managers, reps (README: Delivery)",
          (), False),
    Param("smtp", dict, {}, "salesnb send: host, port, user, password, security, from", (), False),
)

_BY_NAME = {p.name: p for p in SPEC}

#: every key a params file may hold, with its default (copies: mutate freely)
PARAM_DEFAULTS: dict = {p.name: p.default for p in SPEC if p.notebook}
#: the report notebooks' parameters, in the order of their parameters cell
NOTEBOOK_KEYS: tuple[str, ...] = tuple(p.name for p in SPEC if p.notebook)
#: the data keys: a file (or a database table) each
DATA_KEYS = ("sales", "targets", "org", "opportunities", "spend", "satisfaction")
#: keys the run reads itself and does not pass to the notebooks (base_dir is set by the run)
RUNNER_KEYS: frozenset[str] = frozenset({p.name for p in SPEC if not p.notebook} | {"base_dir"})


def parameters_cell() -> str:
    """Return the report notebooks' parameters cell, one ``name: type = default  # help`` a line.

    Returns
    -------
    str
        Python source papermill reads (and overrides) as the notebook's parameters.

    Examples
    --------
    >>> parameters_cell().splitlines()[0]
    'month: str = ""  # report month, YYYY-MM (required by `salesnb run`)'
    """
    lines = []
    for p in SPEC:
        if not p.notebook:
            continue
        value = f'"{p.default}"' if isinstance(p.default, str) else repr(p.default)
        lines.append(f"{p.name}: {p.type.__name__} = {value}  # {p.help}")
    return "\n".join(lines)


def describe() -> list[tuple[str, str, str, str]]:
    """Return ``(name, type, default, help)`` for every key, as ``salesnb params`` lists them.

    Returns
    -------
    list of tuple of str
        One row per key of :data:`SPEC`, in its order.
    """
    return [(p.name, p.type.__name__, repr(p.default), p.help) for p in SPEC]


def _fail(path: str, message: str) -> None:
    raise ParamsError(f"{path}: {message}")


def _check_type(p: Param, value: Any, path: str) -> None:
    ok = (isinstance(value, (p.type, *p.accepts)) and not (p.type is int and isinstance(value, bool))) \
        or (p.type is float and isinstance(value, int) and not isinstance(value, bool)) \
        or (p.type is str and isinstance(value, (int, float)) and p.name in ("month", "as_of")) \
        or (p.type is str and value is None) or (p.type in (dict, list) and value is None)
    ok = ok or (hasattr(value, "isoformat") and p.name == "as_of")  # YAML: 2026-10-15 a date
    integers = p.type is int and p.choices
    if not ok:
        shown = f"an integer {p.choices[0]}-{p.choices[-1]}" if integers else p.type.__name__
        _fail(path, f"{p.name!r} must be {shown}, got {value!r} ({p.help}).")
    if p.choices and value not in p.choices and value is not None:
        shown = f"an integer {p.choices[0]}-{p.choices[-1]}" if integers else " or ".join(p.choices)
        _fail(path, f"{p.name!r} must be {shown}, got {value!r}.")


def check_params(params: dict, *, path: str = "params") -> None:
    """Raise ParamsError when ``params`` holds an unknown key or a value of the wrong kind.

    Parameters
    ----------
    params : dict
        The keys of a params file (as read from YAML).
    path : str
        The file's name, quoted in messages.

    Raises
    ------
    ParamsError
        Naming the key and what it accepts; an unknown key's message lists the known ones.
    """
    known = set(_BY_NAME)
    unknown = sorted(set(params) - known)
    if unknown:
        _fail(path, f"unknown parameter(s) {unknown}. Known parameters: {sorted(known)}. "
                    "Fix the spelling or remove the key (`salesnb params` lists them with help).")
    for name, value in params.items():
        _check_type(_BY_NAME[name], value, path)
    month = str(params.get("month", ""))
    if not _is_month(month):
        _fail(path, f"'month' must be YYYY-MM, got {month!r}.")
    if params.get("period") == "week" and not params.get("as_of"):
        _fail(path, "'period: week' needs an 'as_of' date (YYYY-MM-DD), the last day of the "
                    "week to date.")
    if params.get("as_of"):
        day = _as_of(params["as_of"], path)
        if str(day.to_period("M")) != month:
            _fail(path, f"'as_of' {params['as_of']} is not in 'month' {month}.")
    if (params.get("workers") or 0) < 0:
        _fail(path, f"'workers' must be 0 (one per core) or more, got {params['workers']!r}.")
    _check_rule(params.get("targets_rule") or {}, path)


def _is_month(text: str) -> bool:
    if len(text) != 7 or text[4] != "-":
        return False
    try:
        return 1 <= int(text[5:]) <= 12 and int(text[:4]) > 0
    except ValueError:
        return False


def _as_of(value: Any, path: str) -> pd.Timestamp:
    import pandas as pd
    try:
        day = pd.Timestamp(str(value))
    except ValueError:
        day = pd.NaT
    if day is pd.NaT or len(str(value)) < 8:
        _fail(path, f"'as_of' must be a date YYYY-MM-DD, got {value!r}.")
    return day.normalize()


def _check_rule(rule: Any, path: str) -> None:
    if not rule:
        return
    unknown = sorted(set(rule) - {"rule", "growth", "basis"})
    if unknown or rule.get("rule", "prior_year_growth") != "prior_year_growth":
        _fail(path, f"'targets_rule' {rule!r} is not known: the rule is prior_year_growth with "
                    "keys growth (e.g. 0.1) and basis (annual | monthly).")
    if rule.get("basis", "annual") not in ("annual", "monthly"):
        _fail(path, f"targets_rule basis must be annual or monthly, got {rule.get('basis')!r}.")
    try:
        float(rule.get("growth", 0.1))
    except (TypeError, ValueError):
        _fail(path, f"targets_rule growth must be a number such as 0.1, got "
                    f"{rule.get('growth')!r}.")


def resolve_params(raw: dict, *, base_dir: Path | str) -> dict:
    """Fill the defaults; keep data paths as written, to resolve against ``base_dir``.

    Parameters
    ----------
    raw : dict
        A checked params dict (see :func:`check_params`).
    base_dir : Path or str
        The params file's folder, kept as ``params['base_dir']``.

    Returns
    -------
    dict
        Every key of the spec (defaults filled in, run keys included) and ``base_dir``.
    """
    p = {q.name: (q.default.copy() if isinstance(q.default, (dict, list)) else q.default)
         for q in SPEC}
    p.update({k: v for k, v in raw.items() if v is not None})
    p["base_dir"] = str(Path(base_dir).resolve())
    return p


@dataclass(frozen=True)
class RunParams:
    """A params file read once: typed values, defaults applied, choices closed.

    Made by :func:`parse_params`; the run passes it down instead of a dict, so no module
    re-defaults or re-parses a key. ``as_dict()`` gives the notebooks' keyword form.
    """

    month: pd.Period
    as_of: pd.Timestamp | None = None
    period: Literal["month", "week"] = "month"
    team: str = ""
    sales: Any = ""
    targets: Any = ""
    org: Any = ""
    opportunities: Any = ""
    spend: Any = ""
    satisfaction: Any = ""
    columns: dict = field(default_factory=dict)
    fiscal_year_start: int = 1
    lang: Literal["en", "zh"] = "en"
    currency: str = "$"
    rates: dict = field(default_factory=dict)
    timezone: str = ""
    stages: tuple = ()
    company: str = "Company"
    target_split: Literal["equal", "seasonal"] = "equal"
    targets_rule: dict = field(default_factory=dict)
    thresholds: dict = field(default_factory=dict)
    tiers: dict = field(default_factory=dict)
    gross_margin: float = 0.3
    working_days: bool = False
    holidays: tuple = ()
    cache: str = ""
    out: str = ""
    workers: int = 0
    engine: Literal["auto", "pandas", "scan"] = "auto"
    scorecards: bool = True
    pdf: bool = False
    recipients: dict = field(default_factory=dict)
    smtp: dict = field(default_factory=dict)
    base_dir: str = "."

    def as_dict(self) -> dict:
        """Return the params as a plain dict (month ``YYYY-MM``, as_of ``YYYY-MM-DD`` or "")."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["month"] = str(self.month)
        out["as_of"] = "" if self.as_of is None else str(self.as_of.date())
        out["holidays"] = list(self.holidays)
        out["stages"] = list(self.stages)
        return out

    def worker_count(self, override: int | None = None) -> int:
        """Return how many report kernels to run: ``override``, else ``workers``, else one per core.

        Parameters
        ----------
        override : int, optional
            The ``--workers`` option.

        Returns
        -------
        int
        """
        return max(1, int(override or self.workers or os.cpu_count() or 1))


def parse_params(raw: dict, *, base_dir: Path | str = ".", path: str = "params") -> RunParams:
    """Check ``raw`` and read it once into a :class:`RunParams`.

    Parameters
    ----------
    raw : dict
        The keys of a params file.
    base_dir : Path or str
        The params file's folder (data paths resolve against it).
    path : str
        The file's name, quoted in messages.

    Returns
    -------
    RunParams

    Raises
    ------
    ParamsError
        As :func:`check_params`.

    Examples
    --------
    >>> p = parse_params({"month": "2026-10", "as_of": "2026-10-15", "workers": 2})
    >>> p.month, p.as_of.date().isoformat(), p.fiscal_year_start, p.worker_count()
    (Period('2026-10', 'M'), '2026-10-15', 1, 2)
    """
    import pandas as pd
    check_params(raw, path=path)
    p = resolve_params(raw, base_dir=base_dir)
    p["month"] = pd.Period(str(p["month"]), freq="M")
    p["as_of"] = _as_of(p["as_of"], path) if p.get("as_of") else None
    p["holidays"] = tuple(p.get("holidays") or ())
    p["stages"] = tuple(p.get("stages") or ())
    return RunParams(**p)
