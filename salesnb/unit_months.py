"""Targets and actuals as (level, unit, metric) x month frames: the shape progress works on.

Shared by :mod:`salesnb.progress`, :mod:`salesnb.monthly` and :mod:`salesnb.pace`.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from salesnb.cube import COMPANY
from salesnb.exceptions import DataError, ParamsError, SchemaError
from salesnb.schema import LEVELS, METRICS

KEYS = ["level", "unit", "metric"]
_KEYS = KEYS


def _long_values(df: pd.DataFrame, value: str, name: str) -> pd.Series:
    """Return ``df[value]`` indexed by (level, unit, metric, month), company unit = COMPANY."""
    need = ["month", "level", "unit", "metric", value]
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise SchemaError(f"{name} is missing column(s) {missing}; it has {list(df.columns)}. "
                          f"Pass a table with columns {need}.")
    level = df["level"].astype(str).str.strip().str.lower()
    d = pd.DataFrame({
        "level": level,
        "unit": df["unit"].astype(str).str.strip().where(level != "company", COMPANY),
        "metric": df["metric"].astype(str).str.strip(),
        "month": pd.PeriodIndex(df["month"], freq="M"),
        value: pd.to_numeric(df[value], errors="coerce").astype(float),
    })
    keys = ["level", "unit", "metric", "month"]
    dup = d.duplicated(keys, keep=False).to_numpy()
    if dup.any():
        ex = d.loc[dup, keys].drop_duplicates().head(3).astype(str).to_dict("records")
        raise DataError(f"{name} has more than one {value} row for the same level, unit, metric "
                        f"and month ({int(dup.sum())} rows), e.g. {ex}; concatenate each "
                        "metric once and de-duplicate before calling")
    return d.set_index(keys)[value].sort_index()


def _wide(s: pd.Series, index: pd.MultiIndex, months: pd.PeriodIndex) -> pd.DataFrame:
    """Return ``s`` as units x months (NaN where there is no row)."""
    if s.empty:
        return pd.DataFrame(np.nan, index=index, columns=months)
    w = s.unstack("month")
    w.columns = pd.PeriodIndex(w.columns, freq="M")
    return w.reindex(index=index, columns=months)


def _unit_order(units: Iterable[tuple]) -> pd.MultiIndex:
    lv = {v: i for i, v in enumerate(LEVELS)}
    mt = {v: i for i, v in enumerate(METRICS)}
    keys = sorted(set(units), key=lambda k: (lv.get(k[0], 9), k[1], mt.get(k[2], 9), k[2]))
    if not keys:
        return pd.MultiIndex.from_arrays([[], [], []], names=_KEYS)
    return pd.MultiIndex.from_tuples(keys, names=_KEYS)


def _unit_series(actuals, targets, level, unit, metric, months):
    if level not in LEVELS:
        raise ParamsError(f"level must be one of {list(LEVELS)}, got {level!r}")
    unit = COMPANY if level == "company" else str(unit)
    key = pd.MultiIndex.from_tuples([(level, unit, metric)], names=_KEYS)
    act = _long_values(actuals, "actual", "actuals")
    tgt = _long_values(targets, "target", "targets")
    known = set(act.index.droplevel("month")) | set(tgt.index.droplevel("month"))
    if (level, unit, metric) not in known:
        near = sorted({u for lv, u, mt in known if lv == level and mt == metric})
        raise ParamsError(f"no actuals or targets for level={level!r}, unit={unit!r}, "
                          f"metric={metric!r}; known {level} units for {metric}: {near[:10]}")
    return _wide(act, key, months).iloc[0], _wide(tgt, key, months).iloc[0]


long_values, wide, unit_order, unit_series = _long_values, _wide, _unit_order, _unit_series
