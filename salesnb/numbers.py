"""Small numeric helpers shared by the analysis modules: ratios that give "no value".

A zero or missing denominator gives NaN ("no value", shown as "—"), never 0 or infinity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["safe_div", "growth"]


def safe_div(num, den):
    """Return ``num / den`` elementwise, NaN where ``den`` is 0 or missing.

    Works on scalars, numpy arrays and pandas Series (index kept).

    Parameters
    ----------
    num : float, array or Series
        The numerator.
    den : float, array or Series
        The denominator.

    Examples
    --------
    >>> safe_div(87.5, 100), safe_div(5, 0)
    (0.875, nan)
    >>> safe_div(pd.Series([1.0, 2.0]), pd.Series([2.0, 0.0])).tolist()
    [0.5, nan]
    """
    if isinstance(num, pd.Series) or isinstance(den, pd.Series):
        n = num.astype(float) if isinstance(num, pd.Series) else float(num)
        d = den.astype(float) if isinstance(den, pd.Series) else float(den)
        if isinstance(d, pd.Series):
            d = d.where(d != 0)
            return n / d
        return n / d if d not in (0.0,) and not np.isnan(d) else n * np.nan
    n = np.asarray(num, dtype=float)
    d = np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where((d == 0) | np.isnan(d), np.nan, n / np.where(d == 0, 1.0, d))
    return float(out) if out.ndim == 0 else out


def growth(current, base):
    """Return ``current / base - 1`` (MoM, YoY, ...), NaN where the base is 0 or missing.

    Parameters
    ----------
    current : float, array or Series
        This period's value.
    base : float, array or Series
        The earlier period's value.

    Examples
    --------
    >>> round(growth(110, 100), 4), growth(5, 0)
    (0.1, nan)
    """
    r = safe_div(current, base)
    return r - 1
