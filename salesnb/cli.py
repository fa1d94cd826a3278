"""The ``salesnb`` command line: sample, validate, params, run, send.

Exit codes: 0 success; 1 a report failed or the data has errors; 2 bad usage or params.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .exceptions import DataError, ParamsError, SalesnbError, Terminated

__all__ = ["main"]


def _params(path: str) -> tuple[dict, Path]:
    from .io import load_params
    from .params import check_params, resolve_params
    p = Path(path)
    raw = load_params(p)
    check_params(raw, path=str(p))
    return resolve_params(raw, base_dir=p.resolve().parent), p


def cmd_sample(args) -> int:
    """Write the synthetic sample company (``salesnb sample``); return the exit code.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.
    """
    from .io import write_tables
    from .sample import make_company
    tables = make_company(seed=args.seed, lang=args.lang, teams=args.teams, reps=args.reps,
                          rows=args.rows)
    fmt = "parquet" if args.format == "parquet" else "csv"
    write_tables(tables, args.dir, fmt=fmt)
    n = len(tables["sales"])
    print(f"wrote a sample company to {args.dir}: {n:,} sales rows, "
          f"{tables['sales']['team'].nunique()} teams, {tables['sales']['rep'].nunique()} reps")
    return 0


def cmd_validate(args) -> int:
    """Load and validate a params file's data (``salesnb validate``); return the exit code.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.
    """
    from .load import dataset_from_params
    params, path = _params(args.params)
    try:
        ds = dataset_from_params(params)
    except DataError as exc:
        print(f"Data errors in {path}:\n{exc}", file=sys.stderr)
        return 1
    q = ds.quality_table()
    last = ds.last_sale_date
    last = last.date() if hasattr(last, "date") else last
    how = "" if ds.digest is None else " (scanned where they are, not read whole)"
    print(f"{path}: {ds.sales_rows:,} sales rows loaded{how}; last sale {last}.")
    for name, src in ds.sources.items():
        print(f"  {name}: {src['path']} ({src['rows']:,} rows)")
    if len(q):
        print("Data-quality findings (warnings do not stop a run):")
        for _, r in q.iterrows():
            print(f"  [{r['severity']}] {r['table']}.{r['check']}: {r['count']:,} - {r['detail']}")
    else:
        print("No data-quality problems found.")
    return 0


def cmd_params(args) -> int:
    """Print every params key with its type, default and help (``salesnb params``).

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.
    """
    from .params import describe
    rows = describe()
    width = max(len(r[0]) for r in rows)
    print("Parameters of a params YAML file (the report notebooks' parameters and the run's):")
    for name, typ, default, text in rows:
        print(f"  {name:<{width}}  {typ:<6} default {default:<10} {text}")
    return 0


def cmd_run(args) -> int:
    """Render the pack of a params file (``salesnb run``); return the exit code.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.
    """
    from .run import NOTEBOOK_DIR, KernelPool
    from .run.guard import handle_sigterm
    params, path = _params(args.params)  # YAML and the spec check: milliseconds
    out = _out_folder(args, params, path)
    # start the report kernels before loading the data: loading overlaps with their
    # start-up (they are shut down whatever happens); --workers beats the file's workers
    with handle_sigterm():
        pool = KernelPool(max(1, int(args.workers or params["workers"] or os.cpu_count() or 1)),
                          cwd=NOTEBOOK_DIR)
        pool.warm()
        try:
            return _run(args, params, path, pool, out)
        finally:
            pool.shutdown()


def _format_out(text: str, month: str, where: str) -> str:
    """Fill ``{month}`` in an out folder; any other ``{...}`` is a ParamsError."""
    try:
        return str(text).format(month=month)
    except (KeyError, IndexError, ValueError) as exc:
        raise ParamsError(f"{where} '{text}': only {{month}} can be filled in a folder name "
                          f"(got {exc}); write braces as {{{{ and }}}}") from None


def _out_folder(args, params: dict, path: Path) -> Path:
    """Return the checked out folder of a run (``--out``, the ``out`` key or the default)."""
    from .run.guard import check_out
    if args.out is not None:
        out = Path(_format_out(args.out, params["month"], "--out")) if args.out else ""
    elif params.get("out"):  # relative to the params file, like the data paths
        out = Path(path).resolve().parent / _format_out(params["out"], params["month"],
                                                        f"{path}: out")
        out = Path(os.path.relpath(out.resolve()))
    else:
        out = Path("reports/{month}".format(month=params["month"]))
    base = Path(params.get("base_dir") or Path(path).resolve().parent)
    inputs = [str(base / str(params[k])) for k in ("sales", "targets", "org")
              if isinstance(params.get(k), (str, os.PathLike)) and params[k]
              and (base / str(params[k])).is_file()]
    return check_out(out, inputs=inputs)


def _run(args, params: dict, path: Path, pool, out: Path) -> int:
    from .run import render_pack
    record = render_pack(params, out=out, teams=args.team or None, params_path=str(path),
                         pool=pool, pdf=args.pdf)  # PDF copies (--pdf or pdf:) after the HTML
    failed = [r for r in record["reports"] if r["status"] != "ok"]
    ok = len(record["reports"]) - len(failed)
    print(f"{ok} of {len(record['reports'])} reports written to {out}/ "
          f"in {record['timings']['total_s']} s (index: {out / 'index.html'})")
    for r in failed:
        kept = f" (notebook kept in {r['notebook']})" if r.get("notebook") else ""
        print(f"FAILED {r['name']}: {r['error']}{kept}", file=sys.stderr)
    return 1 if failed else 0


def cmd_send(args) -> int:
    """E-mail each reader the reports they may see (``salesnb send``); return the exit code.

    Parameters
    ----------
    args : argparse.Namespace
        The parsed command line.
    """
    from .delivery.mail import run_dir_of, send_pack
    params, path = _params(args.params)
    run_dir = Path(args.run) if args.run else run_dir_of(params, path)
    return send_pack(params, run_dir=run_dir, dry_run=args.dry_run and Path(args.dry_run),
                     force=args.force)


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="salesnb", description="Sales performance reports.")
    sub = ap.add_subparsers(dest="command", required=True)
    s = sub.add_parser("sample", help="write the synthetic sample company")
    s.add_argument("dir")
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--lang", choices=["en", "zh"], default="en")
    s.add_argument("--teams", type=int, default=6)
    s.add_argument("--reps", type=int, default=40)
    s.add_argument("--rows", type=int, default=None)
    s.add_argument("--format", choices=["csv", "parquet"], default="csv")
    s.set_defaults(func=cmd_sample)
    v = sub.add_parser("validate", help="check the data of a params file")
    v.add_argument("params")
    v.set_defaults(func=cmd_validate)
    p = sub.add_parser("params", help="list the report parameters")
    p.set_defaults(func=cmd_params)
    r = sub.add_parser("run", help="render the report pack")
    r.add_argument("params")
    r.add_argument("--out", default=None)
    r.add_argument("--team", action="append", default=None, metavar="NAME")
    r.add_argument("--workers", type=int, default=None)
    r.add_argument("--pdf", action="store_true", help="also write each report as PDF")
    r.set_defaults(func=cmd_run)
    m = sub.add_parser("send", help="e-mail each reader the reports they may see")
    m.add_argument("params")
    m.add_argument("--run", default=None, metavar="DIR", help="the pack (default: its out)")
    m.add_argument("--dry-run", default=None, metavar="DIR", help="write .eml files instead")
    m.add_argument("--force", action="store_true", help="send again what was sent before")
    m.set_defaults(func=cmd_send)
    return ap


def main(argv=None) -> int:
    """Run the ``salesnb`` command line; return its exit code.

    Parameters
    ----------
    argv : list of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 success; 1 a report failed or the data has errors; 2 bad usage or params.
    """
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # e.g. `salesnb validate p.yaml | head`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except ParamsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SalesnbError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # a folder that became unwritable or full during the run
        from .run.guard import os_error_text
        print(f"error: cannot write {os_error_text(exc)}", file=sys.stderr)
        return 2
    except Terminated:
        print("terminated (SIGTERM): reports written so far are complete; nothing "
              "half-written replaced a good file; run.json records the run.", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print("interrupted: reports written so far are complete; nothing half-written "
              "replaced a good file.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
