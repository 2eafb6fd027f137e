"""Fault injection for the report runner (``iom report``).

A notebook that raises, a run stopped by SIGTERM or SIGKILL part-way, a reports folder that
cannot be written, and a check that a run opens no network door and writes nothing outside
its ``--out`` folder and the temp folder. In every case the last good report (``latest``)
must survive and the next run must start cleanly.

Runner processes are started with a unique ``IOM_FAULT_MARK`` environment variable; every
descendant (pool workers, kernels, even ones re-parented after their parent died) inherits
it, so leftovers are found by reading ``/proc/<pid>/environ``.
"""
from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from test_report import REPO, tiny_data, write_notebook  # noqa: F401  (tiny_data: fixture)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="uses /proc and POSIX signals")

QUICK = [("md", "# Quick"), ("code", "x = 1")]
SLEEPY = [("md", "# Sleepy"), ("code", "import time\ntime.sleep(30)")]
RAISES = [("md", "# Raises"), ("code", "raise ValueError('fault-injected failure')")]
WAIT = 120  # generous: a loaded 2-core machine


# --------------------------------------------------------------------------------------------
# helpers


def _cmd(nb_dir: Path, out: Path, data: Path) -> list[str]:
    return [sys.executable, "-m", "iomlib", "report", "--notebook-dir", str(nb_dir),
            "--out", str(out), "--data", str(data), "--jobs", "1"]


def _env(mark: str, **extra) -> dict:
    env = {**os.environ, "IOM_FAULT_MARK": mark, **extra}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO)] + ([env["PYTHONPATH"]]
                                                      if env.get("PYTHONPATH") else []))
    return env


def _run(nb_dir, out, data, mark=None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(_cmd(nb_dir, out, data), capture_output=True, text=True,
                          timeout=300, cwd=kw.pop("cwd", REPO),
                          env=kw.pop("env", None) or _env(mark or uuid.uuid4().hex), **kw)


def _marked(mark: str) -> dict[int, str]:
    """``{pid: command line}`` of live processes whose environment carries ``mark``."""
    found = {}
    needle = f"IOM_FAULT_MARK={mark}".encode()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                env = f.read().split(b"\0")
            if needle not in env:
                continue
            with open(f"/proc/{entry}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue  # a zombie holds nothing
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                found[int(entry)] = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
    return found


def _is_kernel(cmdline: str) -> bool:
    """A kernel process: a plain ipykernel, or the client standing in for a forked one
    (iomlib.report.zygote)."""
    return "ipykernel" in cmdline or "iomlib.report.zygote connect" in cmdline


def _kernels(mark: str) -> dict[int, str]:
    return {p: c for p, c in _marked(mark).items() if _is_kernel(c)}


def _poll(cond, timeout=WAIT, step=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = cond()
        if value:
            return value
        time.sleep(step)
    return cond()


def _kill_leftovers(mark: str) -> None:
    for pid in _marked(mark):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _tree(out: Path) -> dict[str, bytes | str]:
    """Every file under ``out`` (symlinks by target) with its content."""
    snap = {}
    for p in sorted(out.rglob("*")):
        rel = str(p.relative_to(out))
        if p.is_symlink():
            snap[rel] = "-> " + os.readlink(p)
        elif p.is_file():
            snap[rel] = p.read_bytes()
    return snap


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, tiny_data):  # noqa: F811
    """A reports folder holding one good published run, and the notebook folders used."""
    base = tmp_path_factory.mktemp("faults")
    dirs = {}
    for name, cells in (("quick", QUICK), ("sleepy", SLEEPY), ("raises", RAISES)):
        dirs[name] = base / name
        dirs[name].mkdir()
        write_notebook(dirs[name] / "01_main.ipynb", cells)
    write_notebook(dirs["raises"] / "00_fine.ipynb", QUICK)
    out = base / "reports"
    r = _run(dirs["quick"], out, tiny_data)
    assert r.returncode == 0, r.stderr
    return {"out": out, "data": tiny_data, **dirs}


@pytest.fixture
def good_out(seeded, tmp_path):
    """A private copy of the seeded reports folder (``latest`` is a relative link)."""
    out = tmp_path / "reports"
    shutil.copytree(seeded["out"], out, symlinks=True)
    latest = os.readlink(out / "latest")
    assert (out / "latest" / "index.html").is_file()
    return out, latest, _tree(out / "latest")


def _assert_latest_intact(out: Path, link: str, content: dict) -> None:
    assert os.readlink(out / "latest") == link
    assert _tree(out / "latest") == content


def _assert_next_run_publishes(seeded, out: Path, old_link: str) -> None:
    r = _run(seeded["quick"], out, seeded["data"])
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    new = os.readlink(out / "latest")
    assert new != old_link
    assert (out / "latest" / "01_main.html").is_file()
    assert not (out / "latest" / "FAILED").exists()


def _start_sleepy(seeded, out: Path, mark: str, **kw) -> tuple[subprocess.Popen, Path]:
    """Start a run of the sleeping notebook; return once its kernel is running."""
    before = set((out / "runs").iterdir())
    proc = subprocess.Popen(_cmd(seeded["sleepy"], out, seeded["data"]),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=kw.pop("cwd", REPO), env=kw.pop("env", None) or _env(mark),
                            **kw)
    try:
        new = _poll(lambda: set((out / "runs").iterdir()) - before)
        assert new, "no run folder appeared"
        assert _poll(lambda: _kernels(mark)), "no kernel started"
        # the notebook is executing (its injected-parameters / sleep cell has started)
        assert _poll(lambda: (next(iter(new)) / "provenance.json").exists())
    except BaseException:
        proc.kill()
        proc.communicate()
        _kill_leftovers(mark)
        raise
    return proc, next(iter(new))


# --------------------------------------------------------------------------------------------
# 1. a notebook that raises


def test_raising_notebook_keeps_latest_and_writes_failed(seeded, good_out):
    out, link, content = good_out
    runs_before = set((out / "runs").iterdir())
    r = _run(seeded["raises"], out, seeded["data"])
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr
    assert "fault-injected failure" in r.stderr
    _assert_latest_intact(out, link, content)
    (run,) = set((out / "runs").iterdir()) - runs_before
    failed = (run / "FAILED").read_text()
    assert "01_main" in failed and "ValueError" in failed and "fault-injected" in failed
    assert (run / "00_fine.html").is_file()  # the other notebook still ran


# --------------------------------------------------------------------------------------------
# 2. SIGTERM part-way


def test_sigterm_mid_run(seeded, good_out):
    out, link, content = good_out
    mark = uuid.uuid4().hex
    proc, run = _start_sleepy(seeded, out, mark)
    try:
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        took = time.monotonic() - t0
        assert proc.returncode != 0, err
        assert took < 25, f"SIGTERM took {took:.1f} s (the notebook sleeps 30 s)"
        assert "Traceback" not in err
        _assert_latest_intact(out, link, content)
        assert "interrupted" in (run / "FAILED").read_text()
        # no kernel, pool worker or fork server outlives the runner
        left = _poll(lambda: not _marked(mark), timeout=30) or _marked(mark)
        assert left is True, f"processes left behind: {left}"
    finally:
        _kill_leftovers(mark)
    _assert_next_run_publishes(seeded, out, link)


# --------------------------------------------------------------------------------------------
# 3. SIGKILL part-way: no handler runs


def test_sigkill_mid_run(seeded, good_out):
    out, link, content = good_out
    mark = uuid.uuid4().hex
    proc, run = _start_sleepy(seeded, out, mark)
    try:
        proc.send_signal(signal.SIGKILL)
        # wait(), not communicate(): orphaned workers may still hold the output pipes
        assert proc.wait(timeout=60) == -signal.SIGKILL
        _assert_latest_intact(out, link, content)
        assert run.is_dir() and not (run / "index.html").exists()  # half-written, unpublished
    finally:
        # orphaned workers/kernels (if any) are ours: stop them by pid
        _kill_leftovers(mark)
        proc.stdout.close()
        proc.stderr.close()
    _assert_next_run_publishes(seeded, out, link)
    assert os.path.realpath(out / "latest") != os.path.realpath(run)


# --------------------------------------------------------------------------------------------
# 4. writes that fail (as root too: chmod does not stop root)


def test_out_inside_a_regular_file_is_a_clear_error(seeded, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder is expected\n")
    r = _run(seeded["quick"], blocker / "reports", seeded["data"])
    assert r.returncode != 0
    assert "Traceback" not in r.stderr, r.stderr
    assert "error" in r.stderr and "Not a directory" in r.stderr
    assert blocker.read_text() == "a file where a folder is expected\n"


def test_runs_folder_replaced_by_a_file_is_a_clear_error(seeded, good_out):
    # the run folders live elsewhere (latest points there); out/runs is a regular file
    out, link, content = good_out
    (out / "runs").rename(out / "archive")
    (out / "runs").write_text("blocker\n")
    (out / "latest").unlink()
    (out / "latest").symlink_to(link.replace("runs", "archive", 1))
    link, content = os.readlink(out / "latest"), _tree(out / "latest")
    r = _run(seeded["quick"], out, seeded["data"])
    assert r.returncode != 0
    assert "Traceback" not in r.stderr, r.stderr
    assert "error" in r.stderr and "runs" in r.stderr
    _assert_latest_intact(out, link, content)


def test_disk_full_while_writing_reports(seeded, good_out):
    # RLIMIT_FSIZE binds root as well: writing the ~250 kB HTML fails with EFBIG
    out, link, content = good_out

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))

    runs_before = set((out / "runs").iterdir())
    r = _run(seeded["quick"], out, seeded["data"], preexec_fn=limit)
    assert r.returncode != 0
    assert "Traceback" not in r.stderr, r.stderr
    assert "File too large" in r.stderr
    _assert_latest_intact(out, link, content)
    (run,) = set((out / "runs").iterdir()) - runs_before
    assert (run / "FAILED").exists()


# --------------------------------------------------------------------------------------------
# 5. no open doors; nothing written outside --out and the temp folder


def _listening(pids) -> list[str]:
    import psutil
    bad = []
    for pid in pids:
        try:
            conns = psutil.Process(pid).net_connections(kind="inet")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        for c in conns:
            ip = c.laddr.ip if c.laddr else ""
            udp = c.type == __import__("socket").SOCK_DGRAM
            if (c.status == psutil.CONN_LISTEN or udp) and not (
                    ip.startswith("127.") or ip in ("::1", "::ffff:127.0.0.1")):
                bad.append(f"pid {pid}: {'udp' if udp else 'tcp'} {ip}:{c.laddr.port}")
    return bad


#: User caches that libraries keep by design, allowed under ``~/.cache``: matplotlib's font
#: list (written when matplotlib is first imported; the forked kernels' zygote imports it) and
#: the suite's cache of the embedded synthetic force (iomlib.data.synth_cache).
ALLOWED_CACHES = ("matplotlib", "iom-suite")


def _stray(home: Path, out: Path) -> list[str]:
    """Files written under ``home`` outside ``out`` and the allowed user caches."""
    allowed = [home / ".cache" / name for name in ALLOWED_CACHES]
    return [str(p.relative_to(home)) for p in home.rglob("*")
            if p != out and out not in p.parents and not p.is_dir()
            and not any(a in p.parents for a in allowed)]


def test_no_listening_sockets_and_no_stray_files(seeded, tmp_path):
    pytest.importorskip("psutil")
    home = tmp_path / "home"
    tmp = tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    out = home / "reports"
    mark = uuid.uuid4().hex
    env = _env(mark, HOME=str(home), TMPDIR=str(tmp))
    for var in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_RUNTIME_DIR",
                "JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
        env.pop(var, None)
    (out / "runs").mkdir(parents=True)
    proc, _ = _start_sleepy(seeded, out, mark, cwd=home, env=env)
    try:
        seen = set()
        for _ in range(10):  # sample while the kernel runs
            pids = set(_marked(mark))
            seen |= set(_kernels(mark))
            assert _listening(pids) == []
            time.sleep(0.3)
        assert seen, "the kernel was not seen"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
        _poll(lambda: not _marked(mark), timeout=30)
        _kill_leftovers(mark)
    # files only: jupyter_client's kernel-spec lookup makes an empty ~/.ipython folder
    assert _stray(home, out) == []
    # a clean run in the same setting leaves nothing behind in the temp folder either
    tmp_before = set(tmp.iterdir())
    r = _run(seeded["quick"], out, seeded["data"], cwd=home, env=env)
    assert r.returncode == 0, r.stderr
    assert _stray(home, out) == []
    assert sorted(p.name for p in set(tmp.iterdir()) - tmp_before) == []
