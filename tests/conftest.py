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

from pathlib import Path

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


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def sample_pack(tmp_path_factory) -> dict:
    """The sample pack, rendered once per test run and shared by every test file.

    ``params/sample.yaml`` as ``make report`` renders it (the company overview, six team
    reports and a scorecard per rep), over the sample company written afresh by
    :func:`salesnb.sample.make_company` (what ``salesnb sample`` writes; a ``data/sample``
    left by an older version could lack newer columns). Under pytest-xdist the workers
    share it: the first one to need it renders it under a file lock in the run's common
    temporary folder, the others wait and read it. Tests read it and must not write into
    it: a test that changes a pack (``salesnb send`` writes send.json) works on a copy.
    Returns ``out`` (the pack folder), ``data`` (the CSV folder), ``params_file`` (a params
    file naming that data), ``record`` (run.json) and ``params`` (resolved).
    """
    import fcntl
    import json
    import os

    import yaml

    from salesnb.io import load_params, write_tables
    from salesnb.params import resolve_params
    from salesnb.run import render_pack
    from salesnb.sample import make_company
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the run's folder, above each worker's own
    root = base / "sample-pack"
    params_file = root / "params.yaml"
    out = root / "pack"
    with open(base / "sample-pack.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / "done").exists():
            write_tables(make_company(), root / "data")
            raw = yaml.safe_load((ROOT / "params" / "sample.yaml").read_text(encoding="utf-8"))
            for key, value in raw.items():
                if isinstance(value, str) and value.startswith("../data/sample/"):
                    raw[key] = "data/" + value.removeprefix("../data/sample/")
            raw["out"] = "pack"
            params_file.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
            render_pack(resolve_params(load_params(params_file), base_dir=root), out=out,
                        workers=2)
            (root / "done").write_text("ok\n")
    params = resolve_params(load_params(params_file), base_dir=root)
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    return {"out": out, "data": root / "data", "params_file": params_file, "record": record,
            "params": params}


# the test files that read the session's sample pack run after all the others: under
# pytest-xdist (`make test` runs `-n 2`) each worker first works through the rest while
# the first one to get here renders the pack
SAMPLE_PACK_FILES = {"test_browser.py", "test_scorecard.py", "test_send.py", "test_partial.py",
                     "test_progress.py"}


def pytest_collection_modifyitems(config, items):
    """Order the tests of the sample pack's files last (each file kept whole, in order)."""
    items.sort(key=lambda item: item.path.name in SAMPLE_PACK_FILES)
