"""Time the report pack: ``salesnb run`` against the plain papermill + nbconvert way.

Run from the repository root::

    .venv/bin/python benchmarks/report_pack.py --quick     # smoke run, about a minute
    .venv/bin/python benchmarks/report_pack.py             # 1 M rows, 20 teams (minutes)
    .venv/bin/python benchmarks/report_pack.py --plain-teams 4   # time 4 plain reports only
    .venv/bin/python benchmarks/report_pack.py --scorecards      # the full pack: + a scorecard
                                                                 # per rep (221 reports)

What it does:

1. builds a synthetic company with :func:`salesnb.sample.make_company` (``--rows``,
   ``--teams``, ``--reps``, ``--years``, ``--seed``), writes it as Parquet plus a params
   YAML under ``benchmarks/_out/`` (git-ignored; reused when the same size is asked again,
   ``--regen`` rebuilds it);
2. **salesnb way**: ``salesnb run params.yaml --out DIR --workers N`` as a subprocess
   (load, validate and prepare once, Parquet cache in ``DIR/_cache``, warm kernels reused
   across reports, HTML exported in-process); wall time includes the process start;
3. **plain way**, in the same run: for each team, ``papermill team_report.ipynb out.ipynb
   -p team T -p cache DIR/_cache -p month M -f params.yaml`` then ``jupyter nbconvert
   --to html --no-input out.ipynb``, one after the other (the company report too, when
   ``salesnb/notebooks/company_report.ipynb`` exists). The plain way reads the cache written by
   step 2, so it does *not* pay for loading and preparing the data: this favours it.
   With ``--plain-teams N`` only the first N reports are timed and the total is
   extrapolated linearly to all reports (the output says so).

The default is the **team pack** (``scorecards: false``: the company overview and one report
per team). ``--scorecards`` renders the **full pack** (a scorecard per rep too: 221 reports
at 20 teams and 200 reps); the plain way then times the company overview, ``--plain-teams``
team reports (default 3) and ``--plain-cards`` scorecards (default 8, through
``rep_scorecard.ipynb`` with ``-p rep R``), and its total is each kind's mean time × the
number of reports of that kind. The target figure is the speed-up: the plain way's total
over salesnb's wall time (8x for the team pack, 15x for the full pack).

Peak memory: ``os.wait4`` returns, for the process it waits on, the largest resident set
of that process and of every descendant it reaped (Linux ``RUSAGE_BOTH`` semantics, as
``resource.getrusage(RUSAGE_CHILDREN)``): that is the *largest single process* (kernels are
children of the runner), not the sum over the tree. When psutil is importable, the sum of
RSS over the live process tree is also sampled every 0.1 s ("tree RSS").
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent  # the venv's bin: salesnb, papermill, jupyter live here
NOTEBOOKS = ROOT / "salesnb" / "notebooks"
TABLES = ("sales", "targets", "org", "opportunities", "spend", "satisfaction")


# ----------------------------------------------------------------------------- measuring
@dataclass
class Measured:
    seconds: float
    returncode: int
    max_rss_mb: float  # largest single process (the process or a reaped descendant)
    tree_rss_mb: float  # sampled peak of the sum over the live tree (NaN without psutil)
    tree_pss_mb: float = float("nan")  # the same with PSS: shared pages counted once


def _sample_tree(pid: int, stop: threading.Event, peak: list) -> None:
    """Sample the tree's memory: ``peak[0]`` sum of RSS, ``peak[1]`` sum of PSS.

    RSS counts a page once per process that maps it, so forked children (the forecast
    workers fork the runner) and shared libraries are counted several times; PSS (Linux
    ``/proc/<pid>/smaps``) splits each shared page among the processes sharing it, so the
    sum of PSS is the memory the tree really holds.

    RSS is cheap to read (``/proc/<pid>/statm``) and is sampled every 0.1 s. PSS is not:
    the kernel walks every page of every mapping, ~15 ms per process of a few hundred MB,
    so sweeping a 5-process tree every 0.1 s took about half a core from the very run it
    measured (and from salesnb's several processes more than from the plain way's one).
    The PSS sweep therefore runs at most every second and never takes more than about
    5 % of one core (it waits 20 times as long as the last sweep took).
    """
    try:
        import psutil
    except ImportError:
        peak[0] = peak[1] = float("nan")
        return
    try:
        root = psutil.Process(pid)
    except psutil.Error:
        return
    next_pss = 0.0
    while not stop.is_set():
        try:
            procs = [root] + root.children(recursive=True)
        except psutil.Error:
            return
        total = 0
        for p in procs:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        peak[0] = max(peak[0], total)
        now = time.perf_counter()
        if now >= next_pss:
            pss = 0
            for p in procs:
                try:
                    m = p.memory_full_info()
                    pss += getattr(m, "pss", m.rss)
                except psutil.Error:
                    pass
            took = time.perf_counter() - now
            peak[1] = max(peak[1], pss)
            next_pss = now + max(1.0, 20 * took)
        stop.wait(0.1)


def measure(cmd: list[str], *, log: Path, cwd: Path = ROOT, env: dict | None = None) -> Measured:
    """Run ``cmd``; return its wall time, exit code and peak memory (see module docstring)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as fh:
        fh.write(("$ " + " ".join(cmd) + "\n").encode())
        fh.flush()
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=fh, stderr=subprocess.STDOUT)
        stop, peak = threading.Event(), [0.0, 0.0]
        sampler = threading.Thread(target=_sample_tree, args=(proc.pid, stop, peak), daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        stop.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    return Measured(seconds, proc.returncode, usage.ru_maxrss / 1024,  # KiB on Linux
                    peak[0] / 2**20, peak[1] / 2**20)


# ----------------------------------------------------------------------------- data
def build_data(args, base: Path) -> tuple[Path, dict]:
    """Write the synthetic company (Parquet) and its params YAML; return (params, info)."""
    from salesnb.io import write_tables
    from salesnb.sample import SAMPLE_END, make_company

    name = f"data-r{args.rows}-t{args.teams}-p{args.reps}-y{args.years}-s{args.seed}"
    data = base / name
    marker = data / "info.json"
    if marker.exists() and not args.regen:
        info = json.loads(marker.read_text())
        info["reused"] = True
    else:
        if data.exists():
            shutil.rmtree(data)
        t0 = time.perf_counter()
        tables = make_company(seed=args.seed, teams=args.teams, reps=args.reps, rows=args.rows,
                              years=args.years)
        t1 = time.perf_counter()
        write_tables(tables, data, fmt="parquet")
        t2 = time.perf_counter()
        sales = tables["sales"]
        info = {"rows": len(sales), "teams": int(sales["team"].nunique()),
                "reps": int(sales["rep"].nunique()),
                "first": str(sales["date"].min().date()), "last": str(sales["date"].max().date()),
                "make_s": round(t1 - t0, 1), "write_s": round(t2 - t1, 1),
                "parquet_mb": round(sum(f.stat().st_size for f in data.glob("*.parquet")) / 2**20,
                                    1)}
        marker.write_text(json.dumps(info, indent=2))
        info["reused"] = False
    month = SAMPLE_END[:7]
    lines = ["# written by benchmarks/report_pack.py", f'month: "{month}"']
    lines += [f"{t}: {t}.parquet" for t in TABLES]
    lines += ["lang: en", 'currency: "$"', 'company: "Benchmark Co."']
    lines += [f"scorecards: {'true' if args.scorecards else 'false'}"]
    params = data / ("params-full.yaml" if args.scorecards else "params.yaml")
    params.write_text("\n".join(lines) + "\n")
    info["month"] = month
    return params, info


def plain_params(params_file: Path, path: Path) -> Path:
    """Write the params papermill gets with ``-f``: the data paths made absolute."""
    import yaml

    from salesnb.io import load_params
    from salesnb.runner import resolve_params

    raw = load_params(params_file)
    p = resolve_params(raw, base_dir=params_file.resolve().parent)
    keep = {k: p[k] for k in raw if k not in ("month", "team", "cache", "out", "workers",
                                              "scorecards")}
    path.write_text(yaml.safe_dump(keep, allow_unicode=True, sort_keys=False))
    return path


# ----------------------------------------------------------------------------- the two ways
def run_salesnb(params: Path, out: Path, workers: int, logs: Path) -> tuple[Measured, dict]:
    if out.exists():
        shutil.rmtree(out)
    env = dict(os.environ, SALESNB_NO_PROGRESS="1")
    cmd = [str(BIN / "salesnb"), "run", str(params), "--out", str(out), "--workers", str(workers)]
    m = measure(cmd, log=logs / "salesnb.log", env=env)
    run_json = out / "run.json"
    record = json.loads(run_json.read_text()) if run_json.exists() else {}
    if m.returncode != 0 or not record:
        tail = (logs / "salesnb.log").read_text(errors="replace")[-3000:]
        raise SystemExit(f"salesnb run failed (exit {m.returncode}); log tail:\n{tail}")
    return m, record


def run_plain(reports: list[dict], *, month: str, cache: Path, fparams: Path, out: Path,
              logs: Path) -> list[dict]:
    """Time papermill then nbconvert for each report, one after the other."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    papermill, jupyter = str(BIN / "papermill"), str(BIN / "jupyter")
    rows = []
    for i, r in enumerate(reports, 1):
        kind = r["kind"]
        nb_in = NOTEBOOKS / {"company": "company_report.ipynb",
                             "rep": "rep_scorecard.ipynb"}.get(kind, "team_report.ipynb")
        nb_out = out / (Path(r["file"]).stem + ".ipynb")
        team = r["name"] if kind == "team" else (r.get("team") or "") if kind == "rep" else ""
        extra = ["-p", "rep", r["name"]] if kind == "rep" else []
        pm = measure([papermill, str(nb_in), str(nb_out), "-f", str(fparams),
                      "-p", "team", team, "-p", "cache", str(cache), "-p", "month", month,
                      *extra, "--cwd", str(NOTEBOOKS), "--no-progress-bar"],
                     log=logs / "plain.log")
        nc = measure([jupyter, "nbconvert", "--to", "html", "--no-input", str(nb_out)],
                     log=logs / "plain.log")
        html = nb_out.with_suffix(".html")
        rows.append({"name": r["name"], "kind": kind, "papermill": pm, "nbconvert": nc,
                     "ok": pm.returncode == 0 and nc.returncode == 0 and html.exists(),
                     "html_kb": html.stat().st_size / 1024 if html.exists() else float("nan")})
        print(f"  plain {i}/{len(reports)} {r['name']}: papermill {pm.seconds:.1f} s + "
              f"nbconvert {nc.seconds:.1f} s{'' if rows[-1]['ok'] else '  FAILED (see log)'}",
              flush=True)
    return rows


# ----------------------------------------------------------------------------- report
def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def _mb(x: float) -> str:
    return "n/a" if x != x else f"{x:,.0f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="about this many sales rows")
    ap.add_argument("--teams", type=int, default=20)
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--years", type=int, default=3, help="full years before the current one")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--plain-teams", type=int, default=None, metavar="N",
                    help="time only the first N plain reports and extrapolate (default: all)")
    ap.add_argument("--scorecards", action="store_true",
                    help="the full pack: a scorecard per rep too (default: the team pack)")
    ap.add_argument("--plain-cards", type=int, default=8, metavar="N",
                    help="with --scorecards: scorecards the plain way times (default 8)")
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 100k rows, 5 teams, 40 reps, 2 plain reports")
    ap.add_argument("--dir", type=Path, default=ROOT / "benchmarks" / "_out",
                    help="working folder (default benchmarks/_out)")
    ap.add_argument("--regen", action="store_true", help="rebuild the synthetic data")
    args = ap.parse_args(argv)
    if args.quick:
        args.rows, args.teams, args.reps = 100_000, 5, 40
        args.plain_teams = 2 if args.plain_teams is None else args.plain_teams
        args.plain_cards = min(args.plain_cards, 2)
    if args.scorecards and args.plain_teams is None:
        args.plain_teams = 3
    for exe in ("salesnb", "papermill", "jupyter"):
        if not (BIN / exe).exists():
            raise SystemExit(f"{BIN / exe} not found: run with the venv's python "
                             "(.venv/bin/python benchmarks/report_pack.py)")

    base = args.dir.resolve()
    load0 = _load()
    logs = base / "logs"
    if logs.exists():
        shutil.rmtree(logs)
    print(f"building data: {args.rows:,} rows, {args.teams} teams, {args.reps} reps ...",
          flush=True)
    params, info = build_data(args, base)
    print(f"  {info['rows']:,} sales rows {info['first']} .. {info['last']}"
          + (" (reused)" if info["reused"] else
             f" (made in {info['make_s']} s, Parquet written in {info['write_s']} s)"), flush=True)

    print(f"salesnb run, {args.workers} workers ...", flush=True)
    out_sn = base / "salesnb"
    sn, record = run_salesnb(params, out_sn, args.workers, logs)
    reports = record["reports"]
    reports = [r for r in reports if r["kind"] == "team"] + [
        r for r in reports if r["kind"] != "team"]
    n_reports = len(reports)
    sn_ok = sum(r["status"] == "ok" for r in reports)
    print(f"  {sn_ok}/{n_reports} reports in {sn.seconds:.1f} s", flush=True)

    by_kind: dict[str, list[dict]] = {}
    for r in reports:
        by_kind.setdefault("team" if r["kind"] in ("team", "week") else r["kind"], []).append(r)
    if args.scorecards:  # a sample of each kind, extrapolated per kind
        sample = (by_kind.get("company", []) + by_kind.get("team", [])[:args.plain_teams]
                  + by_kind.get("rep", [])[:args.plain_cards])
    else:
        sample = reports if args.plain_teams is None else reports[:max(1, args.plain_teams)]
    n_plain = len(sample)
    print(f"plain way, {n_plain} of {n_reports} reports one after the other ...", flush=True)
    fparams = plain_params(params, base / "plain-params.yaml")
    plain = run_plain(sample, month=info["month"], cache=out_sn / "_cache",
                      fparams=fparams, out=base / "plain", logs=logs)
    pm_s = [p["papermill"].seconds for p in plain]
    nc_s = [p["nbconvert"].seconds for p in plain]
    timed = sum(pm_s) + sum(nc_s)
    per_kind = {}
    for kind in by_kind:
        t = [p["papermill"].seconds + p["nbconvert"].seconds for p in plain
             if ("team" if p["kind"] in ("team", "week") else p["kind"]) == kind]
        if t:
            per_kind[kind] = sum(t) / len(t)
    if args.scorecards:
        plain_total = sum(per_kind.get(k, timed / n_plain) * len(v) for k, v in by_kind.items())
    else:
        plain_total = timed / n_plain * n_reports
    per_plain = plain_total / n_reports
    extrapolated = n_plain < n_reports
    plain_rss = max(max(p["papermill"].max_rss_mb, p["nbconvert"].max_rss_mb) for p in plain)
    plain_tree = max(max(p["papermill"].tree_rss_mb, p["nbconvert"].tree_rss_mb) for p in plain)
    plain_ok = sum(p["ok"] for p in plain)
    speedup = plain_total / sn.seconds

    sn_kb = [(out_sn / r["file"]).stat().st_size / 1024 for r in reports
             if (out_sn / r["file"]).exists()]
    pl_kb = [p["html_kb"] for p in plain if p["html_kb"] == p["html_kb"]]
    tm = record.get("timings", {})
    cpu = platform.processor() or platform.machine()
    print()
    what = "full pack (scorecards)" if args.scorecards else "team pack"
    counts = ", ".join(f"{len(v)} {k}" for k, v in by_kind.items())
    print(f"## Report pack benchmark, {what}: {info['rows']:,} sales rows, {info['teams']} "
          f"teams, {info['reps']} reps, {n_reports} reports ({counts})")
    print()
    print(f"Machine: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}; "
          f"data {info['first']} .. {info['last']}, report month {info['month']}; "
          f"salesnb workers: {record['timings'].get('workers', args.workers)}; "
          f"load average before / after: {load0} / {_load()}.")
    print()
    print("| way | reports timed | wall time (s) | time per report (s) | peak RSS, largest "
          "process (MB) | peak RSS, sum over tree (MB) | reports ok | mean HTML (KB) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print(f"| salesnb run ({record['timings'].get('workers', args.workers)} warm kernels) | "
          f"{n_reports} | {sn.seconds:.1f} | {sn.seconds / n_reports:.2f} | "
          f"{_mb(sn.max_rss_mb)} | {_mb(sn.tree_rss_mb)} | {sn_ok}/{n_reports} | "
          f"{sum(sn_kb) / max(1, len(sn_kb)):,.0f} |")
    total_txt = f"{plain_total:.1f}" + (" (extrapolated)" if extrapolated else "")
    print(f"| plain papermill + nbconvert, sequential | {n_plain} | {total_txt} | "
          f"{per_plain:.2f} | {_mb(plain_rss)} | {_mb(plain_tree)} | {plain_ok}/{n_plain} | "
          f"{sum(pl_kb) / max(1, len(pl_kb)):,.0f} |")
    print()
    target = 15 if args.scorecards else 8
    how = ("; ".join(f"{k}: {per_kind[k]:.2f} s x {len(by_kind[k])}" for k in by_kind
                     if k in per_kind) if args.scorecards else
           f"{timed:.1f} s measured x {n_reports}/{n_plain}")
    print(f"**Speed-up (plain total / salesnb total): {speedup:.1f}x** (target {target}x: "
          f"{'met' if speedup >= target else 'NOT met'})"
          + (f" (plain total extrapolated from {n_plain} of {n_reports} reports: {how})"
             if extrapolated else ""))
    print()
    print("| part | seconds |")
    print("|---|---:|")
    print(f"| salesnb: load + validate (once) | {tm.get('load_validate_s', float('nan'))} |")
    print(f"| salesnb: prepare + write cache (once) | {tm.get('prepare_s', float('nan'))} |")
    print(f"| salesnb: render all reports (tables exported beside them) | {tm.get('render_s', float('nan'))} |")
    print(f"| salesnb: process start, imports, exit (wall - total_s) | "
          f"{sn.seconds - tm.get('total_s', 0.0):.1f} |")
    for k, v in per_kind.items():
        print(f"| plain: papermill + nbconvert per {k} report (mean) | {v:.2f} |")
    print(f"| plain: papermill per report (mean) | {sum(pm_s) / n_plain:.2f} |")
    print(f"| plain: nbconvert per report (mean) | {sum(nc_s) / n_plain:.2f} |")
    print()
    print("Notes: wall times include process start. The plain way reads the Parquet cache "
          "written by `salesnb run`, so it skips loading and preparing the data (this favours "
          "it). Peak RSS 'largest process' is os.wait4's ru_maxrss (the process or any "
          "descendant it reaped, such as the kernels; not a sum); 'sum over tree' is sampled "
          "every 0.1 s with psutil (PSS every second or less often, so that sampling "
          "takes under 5 % of a core). Logs: " + str(logs) + ".")
    return 0 if sn_ok == n_reports and plain_ok == n_plain else 1


if __name__ == "__main__":
    sys.exit(main())
