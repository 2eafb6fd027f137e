"""Forked kernels (iomlib.report.zygote): separate state, the client's folder and environment,
signals passed on, no orphans, and a plain kernel when the zygote is gone."""
from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest

from iomlib.report import zygote

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="forked kernels need POSIX")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:   # a zombie is gone for our purpose
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return True


def _wait_gone(pid: int, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.1)
    return False


def _run(kc, code: str) -> str:
    """Execute ``code`` and return what it printed (stdout)."""
    out = []
    reply = kc.execute_interactive(code, timeout=60,
                                   output_hook=lambda m: out.append(m["content"].get("text", ""))
                                   if m["msg_type"] == "stream" else None)
    assert reply["content"]["status"] == "ok", reply["content"]
    return "".join(out).strip()


@pytest.fixture
def forked(tmp_path, monkeypatch):
    """A running zygote and a function that starts a kernel from it."""
    from jupyter_client.manager import start_new_kernel
    monkeypatch.setenv(zygote.FORK_ENV, "1")
    z = zygote.Zygote(sys.executable, tmp_path, {"IOM_ZYGOTE_TEST": "zygote"})
    name, env = z.kernel_spec(tmp_path)
    monkeypatch.setenv("JUPYTER_PATH", env["JUPYTER_PATH"])
    started = []

    def kernel(cwd=None, extra_env=None):
        km, kc = start_new_kernel(kernel_name=name, startup_timeout=90,
                                  cwd=str(cwd or tmp_path),
                                  env={**os.environ, **(extra_env or {})})
        started.append((km, kc))
        return km, kc

    yield z, kernel
    for km, kc in started:
        kc.stop_channels()
        if km.is_alive():
            km.shutdown_kernel(now=True)
    z.stop()


@pytest.mark.slow
def test_kernels_are_forked_with_the_libraries_loaded_and_separate_state(forked, tmp_path):
    z, kernel = forked
    km1, kc1 = kernel(cwd=tmp_path, extra_env={"IOM_ZYGOTE_TEST": "kernel one"})
    sub = tmp_path / "other"
    sub.mkdir()
    km2, kc2 = kernel(cwd=sub)
    # pandas was imported by the zygote, before this kernel's first line
    assert _run(kc1, "import sys; print('pandas' in sys.modules, 'seaborn' in sys.modules)") \
        == "True True"
    pid1 = int(_run(kc1, "import os; print(os.getpid())"))
    pid2 = int(_run(kc2, "import os; print(os.getpid())"))
    assert pid1 != pid2 and pid1 != km1.provisioner.process.pid      # a forked child
    assert int(_run(kc1, "print(os.getppid())")) == z.proc.pid
    _run(kc1, "x = 41")
    assert _run(kc2, "print('x' in globals())") == "False"
    # each kernel has its client's folder and environment, not the zygote's
    assert _run(kc1, "print(os.getcwd())") == str(tmp_path)
    assert _run(kc2, "print(os.getcwd())") == str(sub)
    assert _run(kc1, "print(os.environ['IOM_ZYGOTE_TEST'])") == "kernel one"
    # figures reach the notebook (the inline backend is hooked up in the kernel)
    reply_types = []
    kc1.execute_interactive("import matplotlib.pyplot as plt; plt.plot([1, 2]);", timeout=60,
                            output_hook=lambda m: reply_types.append(
                                m["msg_type"] == "display_data"
                                and "image/png" in m["content"].get("data", {})))
    assert any(reply_types)
    km1.shutdown_kernel()
    assert _wait_gone(pid1)
    assert _run(kc2, "print(1 + 1)") == "2"


@pytest.mark.slow
def test_interrupt_reaches_the_forked_kernel(forked):
    _, kernel = forked
    km, kc = kernel()
    msg_id = kc.execute("import time\nfor _ in range(600): time.sleep(0.1)")
    time.sleep(1.0)
    km.interrupt_kernel()
    reply = kc.get_shell_msg(timeout=30)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=30)
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"


@pytest.mark.slow
def test_a_killed_client_takes_its_kernel_with_it(forked):
    _, kernel = forked
    km, kc = kernel()
    pid = int(_run(kc, "import os; print(os.getpid())"))
    os.kill(km.provisioner.process.pid, signal.SIGKILL)
    assert _wait_gone(pid), "the forked kernel outlived its client"


@pytest.mark.slow
def test_stopping_the_zygote_leaves_no_kernel_behind(forked):
    z, kernel = forked
    km, kc = kernel()
    pid = int(_run(kc, "import os; print(os.getpid())"))
    z.stop()
    assert _wait_gone(pid, 20), "a forked kernel outlived the zygote"


class _Dead:
    pid = 2 ** 22 + 12345                             # above Linux's default pid_max


@pytest.mark.slow
@pytest.mark.parametrize("socket_file", [True, False], ids=["stale-socket", "no-socket"])
def test_without_a_zygote_the_client_starts_a_plain_kernel(tmp_path, monkeypatch, socket_file):
    from jupyter_client.manager import start_new_kernel
    z = zygote.Zygote.__new__(zygote.Zygote)          # a spec whose zygote never ran
    z.python, z.socket, z.proc = sys.executable, str(tmp_path / "zygote.sock"), _Dead()
    if socket_file:
        (tmp_path / "zygote.sock").touch()            # a socket file nobody listens on
    name, env = z.kernel_spec(tmp_path)
    t0 = time.monotonic()
    monkeypatch.setenv("JUPYTER_PATH", env["JUPYTER_PATH"])
    km, kc = start_new_kernel(kernel_name=name, startup_timeout=90)
    try:
        assert _run(kc, "import os; print(os.getpid())") == str(km.provisioner.process.pid)
        assert time.monotonic() - t0 < 25, "the client waited for a zygote that had gone"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_turned_off_by_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(zygote.FORK_ENV, "0")
    assert not zygote.enabled()
    z, name, env = zygote.start("iom-suite", tmp_path, {"A": "1"})
    assert z is None and name == "iom-suite" and env == {"A": "1"}


def test_only_plain_ipykernel_specs_are_forked(tmp_path):
    import json
    kdir = tmp_path / "kernels" / "other-lang"
    kdir.mkdir(parents=True)
    (kdir / "kernel.json").write_text(json.dumps(
        {"argv": ["/usr/bin/R", "--slave", "-e", "IRkernel::main()", "{connection_file}"],
         "display_name": "R", "language": "R"}))
    assert zygote.kernel_python("other-lang", {"JUPYTER_PATH": str(tmp_path)}) is None
    assert zygote.kernel_python("no-such-kernel", {}) is None


@pytest.mark.slow
def test_a_deep_temporary_folder_still_gets_a_socket(tmp_path, monkeypatch):
    """Unix socket paths are limited to about 100 bytes; a deep scratch folder (e.g. TMPDIR
    inside a test's folder) gets a short private one, removed when the zygote stops."""
    from jupyter_client.manager import start_new_kernel
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    z = zygote.Zygote(sys.executable, deep, {})
    assert len(z.socket) <= 100 and not z.socket.startswith(str(deep))
    name, env = z.kernel_spec(deep)
    monkeypatch.setenv("JUPYTER_PATH", env["JUPYTER_PATH"])
    km, kc = start_new_kernel(kernel_name=name, startup_timeout=90)
    try:
        assert int(_run(kc, "import os; print(os.getppid())")) == z.proc.pid    # forked
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        z.stop()
    assert not Path(z.socket).parent.exists()
