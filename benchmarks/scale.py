"""Time load + validate + aggregate at scale: the DuckDB engine against plain pandas.

Run from the repository root::

    .venv/bin/python benchmarks/scale.py --quick          # 200 k rows, well under a minute
    .venv/bin/python benchmarks/scale.py                  # 1 M and 10 M rows (several minutes)
    .venv/bin/python benchmarks/scale.py --sizes 1e6      # 1 M rows only
    .venv/bin/python benchmarks/scale.py --sizes 1e7 --formats parquet --pack-only --engines auto
                                           # the 10 M-row Parquet pack alone (peak memory)

What it does:

1. generates the sales of a synthetic company with
   ``salesnb.sample.make_company(teams=50, reps=500, rows=N, years=5)`` (10 M rows are
   generated directly: about 40 s and 4 GB in a child process) and writes them as Parquet
   (``DataFrame.to_parquet``, pyarrow defaults) and as CSV (UTF-8, dates ``YYYY-MM-DD``)
   under ``benchmarks/_out/scale/`` (git-ignored; reused unless ``--regen``);
2. **salesnb engine**: ``salesnb.engine.scan(path, tables=("cube",))`` (``--tables all``:
   every digest table, as ``salesnb run`` loads them): reads the file in
   DuckDB, validates every row (dates, numbers, empty team/rep, negatives; exact duplicate
   rows for CSV) and aggregates to the monthly cube (month x team x rep x category with
   new customers);
3. **plain pandas**, in the same run: ``pd.read_parquet`` / ``pd.read_csv`` of the whole
   file, validation with ``to_datetime``, ``to_numeric`` and null checks (and
   ``duplicated()`` for CSV, like the engine), then ``groupby`` to the same monthly cube.

4. **full pack** (unless ``--no-pack``): ``salesnb run`` on the Parquet file, every team's
   report and the company overview, with ``engine: auto`` (the sales scanned in DuckDB) and
   with ``engine: pandas`` (read whole), targets from ``prior_year_growth``.

Each measurement runs in a fresh Python process. "wall s" is the whole process (start,
imports, work); "work s" is the load + validate + aggregate step measured inside it.
Peak memory is the child's largest resident set, read with ``os.wait4`` for that one
process (Linux ``ru_maxrss``), so measurements do not leak into each other.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "_out" / "scale"

GENERATE = """
import sys, duckdb
from salesnb.sample import make_company
n, out = int(sys.argv[1]), sys.argv[2]
s = make_company(teams=50, reps=500, rows=n, years=5)["sales"]
s.to_parquet(out + ".parquet", index=False)
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")  # its bar went to stdout, after the result
con.register("s", s)
con.execute(f"COPY (SELECT * REPLACE (CAST(date AS DATE) AS date) FROM s) TO '{out}.csv' (HEADER)")
"""

ENGINE = """
import json, sys, time
t0 = time.perf_counter()
from salesnb.engine import scan
t1 = time.perf_counter()
from salesnb.schema import DIGEST_TABLES
tables = tuple(DIGEST_TABLES) if sys.argv[2] == "all" else tuple(sys.argv[2].split(","))
digest, issues = scan(sys.argv[1], tables=tables)
t2 = time.perf_counter()
cube = digest["cube"]
print("RESULT " + json.dumps({"import_s": t1 - t0, "work_s": t2 - t1, "cube_rows": len(cube),
                  "amount": float(cube["amount"].sum()), "rows": digest["meta"]["rows"],
                  "new_customers": int(cube["new_customers"].sum())}))
"""

PANDAS = """
import json, sys, time
t0 = time.perf_counter()
import pandas as pd
t1 = time.perf_counter()
path = sys.argv[1]
df = pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path)
# validate: every problem is counted, as the engine does
date = pd.to_datetime(df["date"], errors="coerce")
amount = pd.to_numeric(df["amount"], errors="coerce")
quantity = pd.to_numeric(df["quantity"], errors="coerce")
problems = {
    "bad_date": int((date.isna() & df["date"].notna()).sum()),
    "bad_amount": int((amount.isna() & df["amount"].notna()).sum()),
    "empty_amount": int(df["amount"].isna().sum()),
    "bad_quantity": int((quantity.isna() & df["quantity"].notna()).sum()),
    "empty_team": int((df["team"].isna() | (df["team"].astype(str).str.strip() == "")).sum()),
    "empty_rep": int((df["rep"].isna() | (df["rep"].astype(str).str.strip() == "")).sum()),
    "negative": int((amount < 0).sum()),
}
if not path.endswith(".parquet"):
    problems["duplicates"] = int(df.duplicated().sum())
assert not any(problems[k] for k in problems if k not in ("negative", "duplicates")), problems
df = df.assign(date=date, amount=amount, quantity=quantity.fillna(0.0),
               category=df["category"].fillna(""), month=date.dt.to_period("M"))
keys = ["month", "team", "rep", "category"]
cube = df.groupby(keys, observed=True).agg(amount=("amount", "sum"),
                                           quantity=("quantity", "sum"),
                                           lines=("amount", "size")).reset_index()
first = (df.loc[df["customer_id"].notna(), keys + ["customer_id", "date"]]
         .sort_values("date", kind="stable").drop_duplicates("customer_id"))
new = first.groupby(keys, observed=True).size().rename("new_customers").reset_index()
cube = cube.merge(new, on=keys, how="left").fillna({"new_customers": 0})
t2 = time.perf_counter()
print("RESULT " + json.dumps({"import_s": t1 - t0, "work_s": t2 - t1, "cube_rows": len(cube),
                  "amount": float(cube["amount"].sum()), "rows": len(df),
                  "new_customers": int(cube["new_customers"].sum())}))
"""


RESULT = "RESULT "


def run_child(code: str, args: list[str], timeout: float) -> dict:
    """Run ``python -c code args`` in a fresh process; return its JSON plus wall and peak."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return {"error": f"timed out after {timeout:.0f} s"}
    wall = time.perf_counter() - t0
    peak = getattr(proc, "_peak_kb", None)  # recorded by _Popen when the child was reaped
    res = {"wall_s": wall, "peak_mb": peak / 1024 if peak else None}
    if proc.returncode != 0:
        res["error"] = (err.strip().splitlines() or ["(no output)"])[-1]
        return res
    # the child's result is the line marked RESULT: anything else a library prints to
    # stdout (DuckDB's progress bar at 10 M rows came after it) is not the result
    marked = [ln for ln in out.splitlines() if ln.startswith(RESULT)]
    if marked:
        res.update(json.loads(marked[-1][len(RESULT):]))
    return res


class _Popen(subprocess.Popen):
    """Popen that records the child's own peak RSS from os.wait4 when it is reaped."""

    def _try_wait(self, wait_flags):
        try:
            pid, status, usage = os.wait4(self.pid, wait_flags)
        except ChildProcessError:
            pid, status = self.pid, 0
        else:
            if pid == self.pid:
                self._peak_kb = usage.ru_maxrss  # KiB on Linux
        return (pid, status)


subprocess.Popen = _Popen  # only this script's children


def generate(n: int, regen: bool, timeout: float) -> dict[str, Path]:
    base = OUT / f"sales-{n}"
    paths = {"parquet": base.with_suffix(".parquet"), "csv": base.with_suffix(".csv")}
    if regen or not all(p.exists() for p in paths.values()):
        OUT.mkdir(parents=True, exist_ok=True)
        print(f"generating {n:,} rows ...", flush=True)
        res = run_child(GENERATE, [str(n), str(base)], timeout)
        if "error" in res:
            raise SystemExit(f"generation failed: {res['error']}")
        print(f"  done in {res['wall_s']:.1f} s", flush=True)
    return paths


def pack_params(n: int, parquet: Path, engine: str) -> Path:
    """A params file for the full pack on the scale data: the last full month, targets from
    last year + 10 % (the data has no targets file), no org (the sales carry teams)."""
    import pyarrow.parquet as pq
    last = pq.read_table(parquet, columns=["date"]).column("date").to_pandas().max()
    month = (last.to_period("M") if last == last.to_period("M").end_time.normalize()
             else last.to_period("M") - 1)
    path = OUT / f"pack-{n}-{engine}.yaml"
    path.write_text(f"# written by benchmarks/scale.py\nmonth: \"{month}\"\n"
                    f"sales: {parquet.name}\nengine: {engine}\n"
                    "targets_rule: {rule: prior_year_growth, growth: 0.1}\n"
                    "company: Scale Co.\ncurrency: \"$\"\nlang: en\n", encoding="utf-8")
    return path


def run_pack(n: int, parquet: Path, engine: str) -> dict:
    """Time ``salesnb run`` (every team + the company) in a fresh process; peak memory too."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from report_pack import measure
    params = pack_params(n, parquet, engine)
    # not under OUT: salesnb refuses an out folder inside the data's folder
    out = OUT.parent / "scale-packs" / f"pack-{n}-{engine}"
    env = dict(os.environ, SALESNB_NO_PROGRESS="1")
    m = measure([sys.executable, "-m", "salesnb.cli", "run", str(params), "--out", str(out)],
                log=OUT / "logs" / f"pack-{n}-{engine}.log", env=env)
    res = {"input": f"parquet, full pack ({engine})", "n": n, "method": f"salesnb run, engine: "
           f"{engine}", "size_mb": parquet.stat().st_size / 1e6, "wall_s": m.seconds,
           "peak_mb": m.tree_rss_mb, "pss_mb": m.tree_pss_mb, "largest_mb": m.max_rss_mb}
    if m.returncode != 0:
        res["error"] = f"exit {m.returncode}, see {OUT / 'logs'}"
        return res
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    res.update(reports=len(run["reports"]), ok=sum(r["status"] == "ok" for r in run["reports"]),
               work_s=run["timings"]["total_s"], rows=n, timings=run["timings"])
    return res


def fmt(x, spec=".2f"):
    return "-" if x is None else format(x, spec)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1e6,1e7", help="row counts, e.g. 1e6,1e7")
    ap.add_argument("--quick", action="store_true", help="200 k rows only (smoke run)")
    ap.add_argument("--formats", default="parquet,csv")
    ap.add_argument("--regen", action="store_true", help="rebuild the data files")
    ap.add_argument("--timeout", type=float, default=900, help="seconds per measurement")
    ap.add_argument("--no-pack", action="store_true",
                    help="skip the full pack runs (salesnb run on the Parquet file)")
    ap.add_argument("--pack-only", action="store_true",
                    help="only the full pack runs (skip load + validate + aggregate)")
    ap.add_argument("--engines", default="auto,pandas", help="engines of the full pack runs")
    ap.add_argument("--tables", default="cube",
                    help="digest tables the salesnb engine computes: cube (like the plain "
                         "pandas run) or all (what `salesnb run` loads: the customer-month "
                         "table too, 5 M rows at 10 M sales)")
    args = ap.parse_args(argv)
    sizes = [200_000] if args.quick else [int(float(s)) for s in args.sizes.split(",")]
    formats = args.formats.split(",")
    results, load0 = [], os.getloadavg()[0]
    for n in sizes:
        paths = generate(n, args.regen, args.timeout)
        for kind in ([] if args.pack_only else formats):
            for method, code, extra in (("salesnb engine", ENGINE, [args.tables]),
                                        ("plain pandas", PANDAS, [])):
                print(f"{kind} {n:,} rows: {method} ...", flush=True)
                r = run_child(code, [str(paths[kind]), *extra], args.timeout)
                r.update({"input": kind, "n": n, "method": method,
                          "size_mb": paths[kind].stat().st_size / 1e6})
                results.append(r)
                print("  " + (r.get("error") or f"wall {r['wall_s']:.2f} s (imports "
                                                  f"{r['import_s']:.2f} s, work {r['work_s']:.2f} s)"
                                                  f", peak {fmt(r['peak_mb'], '.0f')} MB"),
                      flush=True)
        if not args.no_pack:
            for engine in args.engines.split(","):
                print(f"parquet {n:,} rows: full pack, engine {engine} ...", flush=True)
                r = run_pack(n, paths["parquet"], engine)
                results.append(r)
                print("  " + (r.get("error") or f"wall {r['wall_s']:.1f} s, {r['ok']} of "
                              f"{r['reports']} reports, peak (tree) RSS {fmt(r['peak_mb'], '.0f')} MB"
                              f", PSS {fmt(r.get('pss_mb'), '.0f')} MB; "
                              f"{r['timings']}"), flush=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=1, default=str))
    print(f"\nmachine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}; load average at start {load0:.1f}, at end "
          f"{os.getloadavg()[0]:.1f} (other work on the machine inflates the times)\n")
    print(f"salesnb engine: digest tables {args.tables!r} (plain pandas: the cube)\n")
    print("| input | rows | file MB | method | wall s | work s | peak MB | cube rows |")
    print("|---|---:|---:|---|---:|---:|---:|---:|")
    for r in (r for r in results if "reports" not in r):
        print(f"| {r['input']} | {r.get('rows', r['n']):,} | {r['size_mb']:.0f} | {r['method']} | "
              f"{fmt(r.get('wall_s'))} | {fmt(r.get('work_s'))} | {fmt(r.get('peak_mb'), '.0f')}"
              f" | {r.get('cube_rows', r.get('error', '-'))} |")
    packs = [r for r in results if "reports" in r]
    if packs:
        print("\nFull pack runs (`salesnb run`: every team's report and the company overview, "
              "2 workers by default = the cores; peak = sum over the process tree, sampled "
              "every 0.1 s, of RSS (a page shared by forked processes counted in each) and of "
              "PSS (shared pages split among their processes: the memory really held); work = "
              "load + prepare + render as run.json times them):\n")
        print("| rows | engine | reports | wall s | load + validate s | prepare s | render s |"
              " peak MB (tree, RSS) | peak MB (tree, PSS) | largest process MB |")
        print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in packs:
            t = r["timings"]
            print(f"| {r['n']:,} | {r['method'].split(': ')[-1]} | {r['ok']}/{r['reports']} | "
                  f"{r['wall_s']:.1f} | {t['load_validate_s']:.1f} | {t['prepare_s']:.1f} | "
                  f"{t['render_s']:.1f} | {fmt(r['peak_mb'], '.0f')} | "
                  f"{fmt(r.get('pss_mb'), '.0f')} | "
                  f"{fmt(r['largest_mb'], '.0f')} |")
    print()
    for n in sizes:
        for kind in formats:
            e = next((r for r in results if (r["n"], r["input"], r["method"]) ==
                      (n, kind, "salesnb engine")), None)
            p = next((r for r in results if (r["n"], r["input"], r["method"]) ==
                      (n, kind, "plain pandas")), None)
            if not e or not p or "error" in e or "error" in p or "amount" not in e:
                continue
            same = abs(e["amount"] - p["amount"]) <= 1e-6 * max(1.0, abs(p["amount"])) and (
                e["cube_rows"], e["new_customers"]) == (p["cube_rows"], p["new_customers"])
            print(f"- {kind}, {n:,} rows: speed-up {p['wall_s'] / e['wall_s']:.1f}x (wall), "
                  f"{p['work_s'] / e['work_s']:.1f}x (work); memory {p['peak_mb'] / e['peak_mb']:.1f}x "
                  f"leaner; same cube: {'yes' if same else 'NO'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
