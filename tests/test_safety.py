"""Hostile input and a hostile environment (issue 13, items 6 and 7): inert exports, limits
on the params YAML, masked passwords, SIGTERM, unwritable out folders and the run lock."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import make_tiny_org, make_tiny_sales, make_tiny_targets

from salesnb.io import load_dataset
from salesnb.report import prepare

NASTY = ['=HYPERLINK("http://x","y")', "-2+3", "@SUM(1)", "+cmd|' /C calc'!A0"]


@pytest.fixture(scope="module")
def nasty_tables() -> dict:
    """The tiny company with its four reps renamed to formula-looking names."""
    names = dict(zip(["Ann", "Bob", "Cat", "Dan"], NASTY, strict=True))
    sales = make_tiny_sales().assign(rep=lambda d: d["rep"].map(names))
    org = make_tiny_org().assign(rep=lambda d: d["rep"].map(names))
    targets = make_tiny_targets()
    targets["unit"] = targets["unit"].replace(names)
    ds = load_dataset(sales=sales, targets=targets, org=org)
    return prepare(ds, month="2025-02")


# ------------------------------------------------------------------ 6. inert exports
def test_exported_csv_escapes_formula_cells_and_keeps_numbers(nasty_tables, tmp_path):
    from salesnb.run.exports import export_tables, read_export_csv
    export_tables(nasty_tables, tmp_path)
    text = (tmp_path / "tables" / "progress.csv").read_text(encoding="utf-8")
    raw = pd.read_csv(tmp_path / "tables" / "progress.csv", dtype={"unit": str})
    units = set(raw.loc[raw["level"] == "rep", "unit"])
    assert units == {"'" + n for n in NASTY}
    for name in NASTY:  # no cell starts with the bare formula
        assert f"\n{name}" not in text and f",{name}" not in text.replace(f",'{name}", "")
    # negative numbers stay numbers: Ann (-> "=HYPERLINK...") sold 120 of 100: gap -20
    rep = raw[(raw["level"] == "rep") & (raw["metric"] == "amount")].set_index("unit")
    assert rep.loc["'" + NASTY[0], "gap"] == pytest.approx(-20.0)
    assert pd.api.types.is_float_dtype(raw["gap"])
    # read back exactly (what `salesnb send` does)
    back = read_export_csv(tmp_path / "tables" / "progress.csv", dtype={"unit": str})
    assert set(back.loc[back["level"] == "rep", "unit"]) == set(NASTY)


def test_exported_xlsx_has_no_formula_and_numbers_stay_numbers(nasty_tables, tmp_path):
    import openpyxl

    from salesnb.run.exports import export_tables
    export_tables(nasty_tables, tmp_path)
    wb = openpyxl.load_workbook(tmp_path / "tables.xlsx")
    kinds = {c.data_type for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if c.value is not None}
    assert "f" not in kinds
    ws = wb["progress"]
    head = [c.value for c in ws[1]]
    units = [r[head.index("unit")] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert set(NASTY) <= set(units)  # the text as written, as a string cell
    gaps = [r[head.index("gap")] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert any(isinstance(g, (int, float)) and g < 0 for g in gaps)
    cells = [c for row in ws.iter_rows(min_row=2) for c in row if c.value in NASTY]
    assert cells and all(c.data_type == "s" for c in cells)


def test_inert_cell_rules():
    from salesnb.run.exports import inert_cell
    assert inert_cell("\tx") == "'\tx" and inert_cell("\rx") == "'\rx"
    assert inert_cell("'quoted") == "''quoted"
    assert inert_cell("O'Brien") == "O'Brien" and inert_cell("") == ""
    assert inert_cell(-3) == -3


# ------------------------------------------------------------------ 7. YAML limits
BOMB = """month: "2025-02"
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_yaml_alias_bomb_is_refused_quickly(tmp_path):
    import time

    from salesnb.exceptions import ParamsError
    from salesnb.io import load_params
    f = tmp_path / "bomb.yaml"
    f.write_text(BOMB)
    assert len(BOMB) < 700
    t0 = time.perf_counter()
    with pytest.raises(ParamsError, match="bomb.yaml.*aliases"):
        load_params(f)
    assert time.perf_counter() - t0 < 1


def test_yaml_few_aliases_still_load_but_a_wide_expansion_is_refused(tmp_path):
    from salesnb.exceptions import ParamsError
    from salesnb.io import load_params
    f = tmp_path / "p.yaml"
    f.write_text('cols: &c {rep: Salesperson}\ncolumns: {sales: *c, org: *c}\n')
    assert load_params(f)["columns"] == {"sales": {"rep": "Salesperson"},
                                         "org": {"rep": "Salesperson"}}
    wide = "a: &a [" + ",".join(["x"] * 2000) + "]\nb: &b [" + ",".join(["*a"] * 60) + "]\n"
    f.write_text(wide)  # 60 aliases only, but 120,000 values
    with pytest.raises(ParamsError, match="expand to more than"):
        load_params(f)


def test_params_file_too_large_is_refused(tmp_path, monkeypatch):
    import salesnb.io as sio
    from salesnb.exceptions import ParamsError
    f = tmp_path / "big.yaml"
    f.write_text("month: '2025-02'\n# " + "x" * 2000 + "\n")
    monkeypatch.setattr(sio, "MAX_PARAMS_BYTES", 1000)
    with pytest.raises(ParamsError, match=r"big.yaml.*2,0\d\d bytes"):
        sio.load_params(f)


# ------------------------------------------------------------------ 7. the run's environment
@pytest.fixture
def tiny_params(tmp_path):
    """A params file over the tiny company (2 teams, 4 reps) in tmp_path/data."""
    from salesnb.io import write_tables
    data = tmp_path / "data"
    write_tables({"sales": make_tiny_sales(), "targets": make_tiny_targets(),
                  "org": make_tiny_org()}, data)
    p = tmp_path / "params.yaml"
    p.write_text('month: "2025-02"\nsales: data/sales.csv\ntargets: data/targets.csv\n'
                 "org: data/org.csv\nscorecards: false\nworkers: 1\n", encoding="utf-8")
    return p


def _cli(*args, env=None):
    import os
    import subprocess
    import sys
    return subprocess.run([sys.executable, "-m", "salesnb.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, SALESNB_NO_PROGRESS="1", **(env or {})))


def _run_east_on_nop(tiny_params, tmp_path, monkeypatch, capsys):
    """``salesnb run --team East`` into ``tmp_path/pack`` on no-op notebooks: (out, rc, stderr)."""
    from salesnb import cli
    from salesnb.run import pack as run_pack
    monkeypatch.setenv("SALESNB_NO_PROGRESS", "1")
    out = tmp_path / "pack"
    nop = _nop_notebook(tmp_path)
    monkeypatch.setitem(run_pack.NOTEBOOKS, "team", nop)
    monkeypatch.setitem(run_pack.NOTEBOOKS, "company", nop)
    rc = cli.main(["run", str(tiny_params), "--out", str(out), "--team", "East"])
    return out, rc, capsys.readouterr().err


def _nop_notebook(tmp_path, code: str = ""):
    """A report notebook that only takes its parameters (and runs ``code``): what is tested
    is the pack loop, not the report."""
    import nbformat
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("team = ''")
    cell.metadata["tags"] = ["parameters"]
    body = nbformat.v4.new_code_cell(code or "pass")
    body.metadata["tags"] = []
    nb.cells = [cell, body]
    path = tmp_path / "nop.ipynb"
    nbformat.write(nb, path)
    return path


def test_bad_out_values_are_clear_errors_naming_the_path(tiny_params, tmp_path):
    import os
    afile = tmp_path / "afile.txt"
    afile.write_text("x")
    ro = tmp_path / "readonly"
    ro.mkdir()
    os.chmod(ro, 0o500)
    cases = {str(afile): "is a file", "": "empty", "/": "root",
             str(tmp_path / "data" / "pack"): "input data folder",
             str(tmp_path / "pack-{team}"): "only {month}"}
    if os.geteuid() != 0:  # root writes anywhere
        cases[str(ro / "pack")] = "cannot write"
    for out, words in cases.items():
        r = _cli("run", tiny_params, "--out", out)
        assert r.returncode == 2, (out, r.stderr)
        assert "Traceback" not in r.stderr and words in r.stderr, (out, r.stderr)
        assert (out or "''") in r.stderr or words == "empty", (out, r.stderr)


def test_full_disk_while_checking_the_out_folder_is_a_clear_error(tmp_path, monkeypatch):
    import errno

    from salesnb.exceptions import ParamsError
    from salesnb.run import guard

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(guard.os, "write", full)
    with pytest.raises(ParamsError, match=r"cannot write the out folder '.*pack'.*no space"):
        guard.check_out(tmp_path / "pack")


def test_full_disk_at_the_end_still_writes_run_json_and_cli_exits_2(tiny_params, tmp_path,
                                                                     monkeypatch, capsys):
    """index.html cannot be written (ENOSPC): run.json is still written and says so; the
    command line prints one line naming the file, exit 2, no traceback."""
    import errno
    import json

    from salesnb.run import pack as run_pack
    real = run_pack.atomic_write_text

    def write(path, text, **kw):
        if str(path).endswith("index.html"):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(path, text, **kw)
    monkeypatch.setattr(run_pack, "atomic_write_text", write)
    out, rc, err = _run_east_on_nop(tiny_params, tmp_path, monkeypatch, capsys)
    assert rc == 2 and "index.html: no space left on the device" in err, err
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["status"] == "complete" and "index.html" in run["write_errors"][0]
    assert not (out / "index.html").exists() and not list(out.glob(".*.tmp"))


def test_exported_tables_that_cannot_be_written_fail_the_run_after_the_reports(
        tiny_params, tmp_path, monkeypatch, capsys):
    """The tables are exported beside the rendering: when they cannot be written (ENOSPC),
    the reports are still written, run.json says what failed, the command exits 2."""
    import errno
    import json

    from salesnb.run import pack as run_pack

    def export(tables, out, **kw):
        raise OSError(errno.ENOSPC, "No space left on device", str(out / "tables.xlsx"))
    monkeypatch.setattr(run_pack, "export_tables", export)
    out, rc, err = _run_east_on_nop(tiny_params, tmp_path, monkeypatch, capsys)
    assert rc == 2 and "tables.xlsx: no space left on the device" in err, err
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["write_errors"] == [
        "tables/ and tables.xlsx: " + run_pack.os_error_text(
            OSError(errno.ENOSPC, "No space left on device", str(out / "tables.xlsx")))]
    assert [r["status"] for r in run["reports"]] == ["ok"]
    assert (out / "team-east.html").exists() and (out / "index.html").exists()


def test_a_failure_that_cannot_be_written_is_recorded_and_the_next_report_runs(
        tiny_params, tmp_path, monkeypatch):
    """East's page and its failed notebook cannot be written (a full disk): East is failed
    with both reasons, no notebook is claimed, and West is still rendered."""
    import errno

    from salesnb.io import load_params
    from salesnb.params import resolve_params
    from salesnb.run import render
    from salesnb.runner import render_pack
    real = render.atomic_write_text

    def write(path, text, **kw):
        if "team-east" in str(path):
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(path, text, **kw)
    monkeypatch.setattr(render, "atomic_write_text", write)
    monkeypatch.setenv("SALESNB_NO_PROGRESS", "1")
    nop = _nop_notebook(tmp_path, "if team == 'East':\n    raise ValueError('East fails')")
    params = resolve_params(load_params(tiny_params), base_dir=tmp_path)
    record = render_pack(params, out=tmp_path / "pack", teams=["East", "West"], workers=1,
                         notebooks={"team": nop})
    rep = {r["name"]: r for r in record["reports"]}
    assert rep["West"]["status"] == "ok" and (tmp_path / "pack" / "team-west.html").exists()
    assert rep["East"]["status"] == "failed" and rep["East"]["notebook"] == ""
    assert "East fails" in rep["East"]["error"]
    assert "could not be kept" in rep["East"]["error"]
    assert "No space left" in rep["East"]["error"]


def test_run_lock_refuses_a_second_run_and_takes_over_a_stale_lock(tmp_path):
    import os

    from salesnb.exceptions import ParamsError
    from salesnb.run.guard import LOCK_NAME, RunLock
    out = tmp_path / "pack"
    out.mkdir()
    (out / LOCK_NAME).write_text("999999999\n")  # left by a run that died
    with RunLock(out):
        assert (out / LOCK_NAME).read_text().strip() == str(os.getpid())
        with pytest.raises(ParamsError, match=rf"pid {os.getpid()}\).*'{out}'"):
            RunLock(out).acquire()
    assert not (out / LOCK_NAME).exists()
    with RunLock(out):  # free again
        pass


def test_second_run_into_a_locked_folder_exits_with_a_clear_message(tiny_params, tmp_path):
    import os

    from salesnb.run.guard import RunLock
    out = tmp_path / "pack"
    out.mkdir()
    with RunLock(out):
        r = _cli("run", tiny_params, "--out", out)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert f"pid {os.getpid()}" in r.stderr and str(out) in r.stderr
    assert not (out / "run.json").exists()


def _children(pid: int) -> set[int]:
    """The pids of the processes whose parent is ``pid`` (Linux /proc)."""
    from pathlib import Path
    kids = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.add(int(stat.parent.name))
    return kids


@pytest.mark.slow
def test_sigterm_mid_run_is_handled_like_ctrl_c(tiny_params, tmp_path):
    """SIGTERM while West renders: exit 143, East whole, West's older page untouched,
    run.json says terminated, no temporary file, the kernels are gone."""
    import json
    import os
    import signal
    import subprocess
    import sys
    import time

    import nbformat

    from salesnb.runner import NOTEBOOKS
    out = tmp_path / "pack"
    out.mkdir()
    old = out / "team-west.html"
    old.write_text("<html>last month</html>", encoding="utf-8")
    (out / "run.json").write_text('{"status": "complete", "reports": []}', encoding="utf-8")
    nb = nbformat.read(NOTEBOOKS["team"], as_version=4)
    cell = nbformat.v4.new_code_cell("if team == 'West':\n    import time; time.sleep(120)")
    cell.metadata["tags"] = []
    nb.cells.insert(4, cell)
    slow = tmp_path / "slow.ipynb"
    nbformat.write(nb, slow)
    script = ("import sys\nfrom salesnb.run import render\n"
              "render.NOTEBOOKS['team'] = sys.argv[1]\nfrom salesnb.cli import main\n"
              "sys.exit(main(['run', sys.argv[2], '--out', sys.argv[3], '--team', 'East', "
              "'--team', 'West']))\n")
    proc = subprocess.Popen([sys.executable, "-c", script, str(slow), str(tiny_params),
                             str(out)], env=dict(os.environ, SALESNB_NO_PROGRESS="1"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = out / "team-east.html"
    deadline = time.time() + 150
    while not first.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.3)
    assert first.exists(), proc.stderr.read()[-2000:] if proc.poll() is not None else ""
    time.sleep(2)  # West is now sleeping
    kernels = _children(proc.pid)
    assert kernels
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "terminated" in err and "Traceback" not in err
    assert first.read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert old.read_text(encoding="utf-8") == "<html>last month</html>"
    assert not list(out.glob(".*.tmp")) and not (out / ".salesnb.lock").exists()
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run["status"] == "terminated"
    status = {r["name"]: r["status"] for r in run["reports"]}
    assert status == {"East": "ok", "West": "interrupted"}
    time.sleep(1)
    assert not [k for k in kernels if os.path.exists(f"/proc/{k}")
                and "zombie" not in open(f"/proc/{k}/status").read().lower()]


# ------------------------------------------------------------------ 7. passwords
TYPED = "p@ss:w/rd$HOME%x"  # every character that broke masking or expansion
PIECES = ["p@ss", "ss:w", "w/rd", "rd$HOME", "$HOME", "HOME%x", "%x"]


def test_typed_password_with_any_character_is_masked_whole_in_urls():
    from salesnb.load.sql_spec import safe_url, source_label
    url = f"postgresql://ann:{TYPED}@db.example.com:5432/crm"
    assert safe_url(url) == "postgresql://ann:***@db.example.com:5432/crm"
    label = source_label({"url": url, "table": "orders"})
    assert not [p for p in PIECES if p in label], label


def test_typed_password_is_never_expanded_and_never_in_a_connection_error():
    import traceback

    from salesnb.exceptions import DataError
    from salesnb.load.sql import read_sql_source
    from salesnb.load.sql_spec import expand_url
    url = f"postgresql://ann:{TYPED}@127.0.0.1:1/crm"
    expanded, secrets = expand_url(url)  # $HOME is part of the password, not a variable
    from sqlalchemy.engine import make_url
    u = make_url(expanded)
    assert u.password == TYPED and u.host == "127.0.0.1" and TYPED in secrets
    with pytest.raises(DataError) as e:
        read_sql_source({"url": url, "query": "select 1"})
    text = "".join(traceback.format_exception(e.type, e.value, e.tb))
    assert not [p for p in PIECES if p in text], text


def test_typed_smtp_password_is_never_expanded_nor_shown():
    from salesnb.delivery.mail import Mailer, check_smtp
    from salesnb.exceptions import SalesnbError
    settings = check_smtp({"host": "127.0.0.1", "port": 1, "security": "none", "user": "ann",
                           "password": TYPED, "from": "r@example.com", "timeout": 2})
    m = Mailer(settings, environ={"HOME": "/root"})
    assert m._value("password") == TYPED
    with pytest.raises(SalesnbError) as e:
        m.open()
    assert "127.0.0.1:1" in str(e.value)
    assert m.mask(f"login {TYPED} failed") == "login *** failed"
    from urllib.parse import quote
    assert m.mask(quote(TYPED, safe="")) == "***"
    # a whole ${VAR} is still read from the environment
    ref = Mailer(dict(settings, password="${SMTP_PW}"), environ={"SMTP_PW": "s3cret!"})
    assert ref._value("password") == "s3cret!"
