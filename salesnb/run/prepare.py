"""Prepare a run once: load and validate the data, check the month, compute every table."""

from __future__ import annotations

from ..exceptions import ParamsError
from ..params import SPEC, RunParams, parse_params

__all__ = ["load_run", "prepare_run", "public_params", "SECRET_WORDS"]

SECRET_WORDS = ("password", "token", "secret", "key")


def public_params(params: dict) -> dict:
    """Return params without secrets (keys that look like passwords or tokens are masked).

    Parameters
    ----------
    params : dict
        Params (nested mappings included).
    """
    from ..load.sql_spec import safe_url

    def clean(v, k=""):
        if isinstance(v, dict):
            return {kk: clean(vv, kk) for kk, vv in v.items()}
        if any(w in str(k).lower() for w in SECRET_WORDS):
            return "***"
        if str(k).lower() == "url" and isinstance(v, str):
            return safe_url(v)  # a password typed into a url is hidden too
        return v
    return clean(params)


def load_run(params: dict) -> tuple:
    """Read ``params`` once and load and validate the data they name.

    Parameters
    ----------
    params : dict
        Resolved params (see :func:`salesnb.params.resolve_params`), ``base_dir`` included.

    Returns
    -------
    tuple
        ``(run_params, dataset)``: the :class:`~salesnb.params.RunParams` and the loaded
        :class:`~salesnb.load.Dataset`.

    Raises
    ------
    ParamsError
        When the params are bad or the month has no sales.
    """
    from ..load import dataset_from_params
    keys = {p.name for p in SPEC}  # a caller's own keys beside them are not the run's
    rp = parse_params({k: v for k, v in params.items() if k in keys},
                      base_dir=params.get("base_dir") or ".")
    dataset = dataset_from_params(params)
    last = dataset.last_sale_date
    if last is None or rp.month.start_time > last:
        raise ParamsError(
            f"month {rp.month} has no data: the sales "
            f"({dataset.sources.get('sales', {}).get('path', rp.sales)}) end on "
            f"{last.date() if last is not None else '(no rows)'}. Choose a month with sales.")
    return rp, dataset


def prepare_run(run_params: RunParams, dataset) -> dict:
    """Compute every table of the run once (``salesnb.report.prepare``) from parsed params.

    Parameters
    ----------
    run_params : RunParams
        The run's parameters (see :func:`load_run`).
    dataset : Dataset
        The loaded data.

    Returns
    -------
    dict
        The prepared tables, ``meta`` included.
    """
    from ..report import prepare
    rp = run_params
    return prepare(dataset, month=rp.month, as_of=rp.as_of,
                   fiscal_year_start=rp.fiscal_year_start, target_split=rp.target_split,
                   targets_rule=rp.targets_rule or None, thresholds=rp.thresholds or None,
                   tiers=rp.tiers or None, working_days=rp.working_days,
                   holidays=rp.holidays, currency=rp.currency)
