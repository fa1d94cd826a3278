"""Derive the two canonical-friendly Northwind files the project ships (sales.csv, org.csv).

Run from the repository root (the committed files in ``datasets/northwind/`` are its output)::

    .venv/bin/python tools/northwind.py                 # reads ../shared/datasets/northwind
    .venv/bin/python tools/northwind.py --src DIR --out DIR --check

The raw files are the Microsoft Northwind sample (MIT licence; see datasets/northwind/README.md).
Their SHA-256 are checked against the source folder's ``SHA256SUMS`` first, so the output is
reproducible byte for byte. ``--check`` writes nothing and exits 1 when the committed files
differ from what the raw files give.

sales.csv: one row per order line (order_details joined to orders, products, categories,
employees), keeping Northwind's own column names so that ``params/northwind.yaml`` demonstrates
the ``columns:`` mapping. ``LineAmount`` = UnitPrice x Quantity x (1 - Discount), rounded to 4
decimals, which is exact: prices have at most 2 decimals, quantities are whole, discounts are
multiples of 0.05.

org.csv: one row per employee: the team is the Northwind region that holds the majority of the
employee's territories (ties: the region named first alphabetically; in this data every employee's
territories lie in one region). Title and the ReportsTo manager are kept as information columns.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SRC = ROOT.parent / "shared" / "datasets" / "northwind"
DEFAULT_OUT = ROOT / "datasets" / "northwind"
RAW_FILES = ("orders.csv", "order_details.csv", "employees.csv", "employee_territories.csv",
             "territories.csv", "region.csv", "products.csv", "categories.csv")
SALES_COLUMNS = ["OrderID", "OrderDate", "EmployeeName", "CustomerID", "ProductName",
                 "CategoryName", "UnitPrice", "Quantity", "Discount", "LineAmount"]
ORG_COLUMNS = ["EmployeeName", "RegionDescription", "HireDate", "EmployeeID", "Title",
               "ReportsToName", "Territories"]


def check_sums(src: Path) -> None:
    """Raise SystemExit when a raw file's SHA-256 differs from the folder's SHA256SUMS."""
    sums_file = src / "SHA256SUMS"
    if not sums_file.is_file():
        raise SystemExit(f"{sums_file} not found; --src must be the shared Northwind folder")
    sums = dict(reversed(line.split()) for line in sums_file.read_text().splitlines() if line)
    for name in RAW_FILES:
        got = hashlib.sha256((src / name).read_bytes()).hexdigest()
        if sums.get(name) != got:
            raise SystemExit(f"{src / name}: SHA-256 {got} does not match SHA256SUMS "
                             f"({sums.get(name)}); the raw data changed")


def read_raw(src: Path) -> dict[str, pd.DataFrame]:
    """Read the raw files as text (IDs keep leading zeros; empty fields stay empty)."""
    return {Path(n).stem: pd.read_csv(src / n, dtype=str, keep_default_na=False)
            for n in RAW_FILES}


def full_names(employees: pd.DataFrame) -> pd.Series:
    """Return 'FirstName LastName' per employee, indexed by EmployeeID."""
    return pd.Series((employees["FirstName"] + " " + employees["LastName"]).to_numpy(),
                     index=employees["EmployeeID"].to_numpy())


def derive_org(raw: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Return one row per employee with the majority region of their territories as team."""
    emp = raw["employees"]
    names = full_names(emp)
    terr = (raw["employee_territories"]
            .merge(raw["territories"], on="TerritoryID", how="left", validate="m:1")
            .merge(raw["region"], on="RegionID", how="left", validate="m:1"))
    if terr["RegionDescription"].isna().any():
        raise SystemExit("an employee territory has no region; check territories.csv")
    counts = (terr.groupby(["EmployeeID", "RegionDescription"]).size().rename("n").reset_index()
              .sort_values(["EmployeeID", "n", "RegionDescription"],
                           ascending=[True, False, True], kind="stable"))
    main = counts.drop_duplicates("EmployeeID").set_index("EmployeeID")
    n_terr = terr.groupby("EmployeeID").size()
    org = pd.DataFrame({
        "EmployeeName": names.to_numpy(),
        "RegionDescription": emp["EmployeeID"].map(main["RegionDescription"]).to_numpy(),
        "HireDate": emp["HireDate"].to_numpy(),
        "EmployeeID": emp["EmployeeID"].to_numpy(),
        "Title": emp["Title"].to_numpy(),
        "ReportsToName": emp["ReportsTo"].map(names).fillna("").to_numpy(),
        "Territories": (emp["EmployeeID"].map(main["n"]).astype(str) + " of "
                        + emp["EmployeeID"].map(n_terr).astype(str)).to_numpy(),
    })
    if org["RegionDescription"].isna().any():
        raise SystemExit("an employee has no territory, so no team; check employee_territories.csv")
    org["EmployeeID"] = org["EmployeeID"].astype(int)
    return org.sort_values("EmployeeID", kind="stable")[ORG_COLUMNS].reset_index(drop=True)


def derive_sales(raw: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Return one row per order line with Northwind column names and the line amount."""
    names = full_names(raw["employees"])
    products = raw["products"].merge(raw["categories"][["CategoryID", "CategoryName"]],
                                     on="CategoryID", how="left", validate="m:1")
    lines = (raw["order_details"]
             .merge(raw["orders"][["OrderID", "OrderDate", "EmployeeID", "CustomerID"]],
                    on="OrderID", how="left", validate="m:1")
             .merge(products[["ProductID", "ProductName", "CategoryName"]],
                    on="ProductID", how="left", validate="m:1"))
    if lines[["OrderDate", "ProductName", "CategoryName"]].isna().any().any():
        raise SystemExit("an order line has no order, product or category; check the raw files")
    price = lines["UnitPrice"].astype(float)
    qty = lines["Quantity"].astype(int)
    disc = lines["Discount"].astype(float)
    out = lines.assign(EmployeeName=lines["EmployeeID"].map(names),
                       LineAmount=(price * qty * (1.0 - disc)).round(4),
                       OrderID=lines["OrderID"].astype(int),
                       ProductID=lines["ProductID"].astype(int))
    out = out.sort_values(["OrderID", "ProductID"], kind="stable")
    return out[SALES_COLUMNS].reset_index(drop=True)


def to_csv_text(df: pd.DataFrame) -> str:
    """Return UTF-8 CSV text with '\\n' line endings and no index."""
    buf = io.StringIO()
    df.to_csv(buf, index=False, lineterminator="\n")
    return buf.getvalue()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--src", type=Path, default=DEFAULT_SRC, help="the raw Northwind folder")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the files")
    ap.add_argument("--check", action="store_true",
                    help="write nothing; exit 1 if the files in --out are not up to date")
    args = ap.parse_args(argv)
    check_sums(args.src)
    raw = read_raw(args.src)
    files = {"sales.csv": to_csv_text(derive_sales(raw)), "org.csv": to_csv_text(derive_org(raw))}
    stale = []
    for name, text in files.items():
        path = args.out / name
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="")
            print(f"wrote {path} ({text.count(chr(10)) - 1:,} rows)")
    if stale:
        print(f"out of date: {', '.join(stale)}; run tools/northwind.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
