"""Shared hand-worked fixtures: a tiny company of 2 teams and 4 reps over 14 months.

Sales (one line per rep per month, on the 15th, customer = rep's own, category "A"):

    rep  team  2024 monthly  2025-01  2025-02
    Ann  East      100          120      120
    Bob  East       50           40       40
    Cat  West       80          100      100
    Dan  West       70           70        -    (no sale in 2025-02)

So East = 150/month in 2024, 160 in 2025-01 and 2025-02; West = 150/month in 2024,
170 in 2025-01, 100 in 2025-02; Company = 300 in 2024, 330 in 2025-01, 260 in 2025-02.

Targets for 2025 (annual, split equally by month unless a test says otherwise):
Company 3600, East 1800, West 1800, Ann 1200, Bob 600, Cat 1200, Dan 600.
So a month's target is: Company 300, East 150, West 150, Ann 100, Bob 50, Cat 100, Dan 50.
"""

from __future__ import annotations

import pandas as pd
import pytest

MONTHLY = {
    "Ann": ("East", 100.0, 120.0, 120.0),
    "Bob": ("East", 50.0, 40.0, 40.0),
    "Cat": ("West", 80.0, 100.0, 100.0),
    "Dan": ("West", 70.0, 70.0, None),
}


def make_tiny_sales() -> pd.DataFrame:
    rows = []
    for rep, (team, y2024, jan, feb) in MONTHLY.items():
        for m in range(1, 13):
            rows.append((f"2024-{m:02d}-15", team, rep, y2024))
        rows.append(("2025-01-15", team, rep, jan))
        if feb is not None:
            rows.append(("2025-02-15", team, rep, feb))
    df = pd.DataFrame(rows, columns=["date", "team", "rep", "amount"])
    df["date"] = pd.to_datetime(df["date"])
    df["customer_id"] = "C-" + df["rep"]
    df["category"] = "A"
    df["product"] = "P1"
    df["quantity"] = df["amount"] / 10
    return df.sort_values(["date", "team", "rep"]).reset_index(drop=True)


def make_tiny_targets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period": ["2025"] * 7,
            "level": ["company", "team", "team", "rep", "rep", "rep", "rep"],
            "unit": ["Company", "East", "West", "Ann", "Bob", "Cat", "Dan"],
            "metric": ["amount"] * 7,
            "target": [3600.0, 1800.0, 1800.0, 1200.0, 600.0, 1200.0, 600.0],
        }
    )


def make_tiny_org() -> pd.DataFrame:
    return pd.DataFrame({"rep": ["Ann", "Bob", "Cat", "Dan"],
                         "team": ["East", "East", "West", "West"]})


@pytest.fixture
def tiny_sales() -> pd.DataFrame:
    return make_tiny_sales()


@pytest.fixture
def tiny_targets() -> pd.DataFrame:
    return make_tiny_targets()


@pytest.fixture
def tiny_org() -> pd.DataFrame:
    return make_tiny_org()
