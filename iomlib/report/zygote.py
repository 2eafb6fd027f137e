"""Kernels forked from a process that has already imported the notebooks' libraries.

Every report notebook runs in a fresh kernel, and each fresh kernel used to spend about two
seconds of CPU importing pandas, matplotlib, seaborn, statsmodels, SciPy and ``iomlib`` before
its first line of analysis: with eight notebooks on two cores that was a third of a report's
time. On POSIX systems the runner now starts one *zygote* per run: a process that imports those
libraries once and then waits on a Unix socket. The kernel spec the runner writes for the run
starts a small *client* (``python -m iomlib.report.zygote connect SOCKET CONNECTION_FILE``)
instead of ``ipykernel_launcher``; the client hands the zygote its connection file, working
folder, environment and standard streams, and the zygote forks a child that becomes the
kernel (an ordinary ``ipykernel`` kernel, copy-on-write, with the libraries already loaded).

Each kernel is still a separate process with its own state, so notebooks cannot see each
other's variables. The client stands in for the kernel towards Jupyter: an interrupt or
terminate signal sent to it is passed on to the kernel, and when the client dies (killed by
Jupyter at shutdown) the kernel notices its socket close and exits. If the zygote cannot be
reached, the client starts an ordinary kernel itself, so a run never depends on the zygote.
``IOM_KERNEL_FORK=0`` turns the zygote off.
"""
from __future__ import annotations

import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

#: Environment variable that turns the zygote off when set to 0.
FORK_ENV = "IOM_KERNEL_FORK"
#: Kernel name of the run's forked kernels.
FORK_KERNEL = "iom-report-fork"
#: Libraries the zygote imports before any kernel is forked (what the notebooks import).
#: (Not matplotlib_inline: it hooks into IPython when imported, so the kernel must import it.)
PRELOAD = ("numpy", "pandas", "scipy.stats", "matplotlib", "matplotlib.pyplot", "seaborn",
           "statsmodels.api", "IPython",
           "ipykernel.kernelapp", "ipykernel.ipkernel", "iomlib.notebook", "iomlib.plots",
           "iomlib.measures", "iomlib.impact", "iomlib.sdc", "iomlib.data.sources")
_INLINE = "module://matplotlib_inline.backend_inline"
_MAX_MESSAGE = 1 << 20


def enabled() -> bool:
    """Whether forked kernels can and may be used here (POSIX fork, not turned off)."""
    return (hasattr(os, "fork") and hasattr(socket, "AF_UNIX")
            and hasattr(socket, "send_fds") and os.environ.get(FORK_ENV, "1") != "0")


# ---------------------------------------------------------------------------- the runner's side

class Zygote:
    """A running zygote process (see the module docstring).

    Parameters
    ----------
    python : str
        The interpreter of the kernels (the zygote and the clients run it).
    scratch : Path
        The run's temporary folder: the socket and the kernel spec go there.
    env : dict
        Environment variables of the kernels, on top of this process's.
    """

    def __init__(self, python: str, scratch: Path, env: dict):
        self.python = python
        self.socket = _socket_path(Path(scratch))
        self.ready = Path(scratch) / "zygote.ready"
        log = open(Path(scratch) / "zygote.log", "w")  # noqa: SIM115  (the child keeps it)
        self.proc = subprocess.Popen(
            [python, "-m", "iomlib.report.zygote", "serve", self.socket, str(self.ready)],
            env={**os.environ, **env, "MPLBACKEND": _INLINE}, stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()

    def kernel_spec(self, scratch: Path) -> tuple[str, dict]:
        """Write the kernel spec of the forked kernels; return its name and ``JUPYTER_PATH``.

        Parameters
        ----------
        scratch : Path
            Folder under which ``kernels/<name>/kernel.json`` is written.

        Returns
        -------
        (str, dict)
        """
        kdir = Path(scratch) / "kernels" / FORK_KERNEL
        kdir.mkdir(parents=True, exist_ok=True)
        (kdir / "kernel.json").write_text(json.dumps({
            "argv": [self.python, "-m", "iomlib.report.zygote", "connect", self.socket,
                     "{connection_file}", str(self.proc.pid)],
            "display_name": "Python (iom-suite, forked)", "language": "python",
            "interrupt_mode": "signal"}))
        path = os.pathsep.join(filter(None, [str(scratch), os.environ.get("JUPYTER_PATH")]))
        return FORK_KERNEL, {"JUPYTER_PATH": path}

    def stop(self) -> None:
        """Stop the zygote (kernels already forked live on until their clients end)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if Path(self.socket).parent.name.startswith(_SHORT_PREFIX):
            shutil.rmtree(Path(self.socket).parent, ignore_errors=True)


#: Longest Unix socket path used as is (the system limit is 107 bytes on Linux, 103 on macOS).
_MAX_SOCKET_PATH = 100
_SHORT_PREFIX = "iomz-"


def _socket_path(scratch: Path) -> str:
    """The zygote's socket: in the run's folder, or in a short private folder under /tmp when
    that path would be too long for a Unix socket."""
    path = str(scratch / "zygote.sock")
    if len(path.encode()) <= _MAX_SOCKET_PATH:
        return path
    short = tempfile.mkdtemp(prefix=_SHORT_PREFIX, dir="/tmp" if os.path.isdir("/tmp") else None)
    return str(Path(short) / "zygote.sock")


def kernel_python(kernel: str, env: dict) -> str | None:
    """The interpreter of kernel spec ``kernel`` when it is a plain ipykernel, else None.

    Parameters
    ----------
    kernel : str
        Kernel name.
    env : dict
        Extra environment of the run (its ``JUPYTER_PATH`` is searched first).

    Returns
    -------
    str or None
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    extra = [p for p in env.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    ksm = KernelSpecManager()
    ksm.kernel_dirs = [str(Path(p) / "kernels") for p in extra] + list(ksm.kernel_dirs)
    try:
        argv = ksm.get_kernel_spec(kernel).argv
    except NoSuchKernel:
        return None
    if len(argv) < 3 or not any("ipykernel" in a for a in argv[1:3] + argv[2:4]):
        return None
    return argv[0]


def start(kernel: str, scratch: Path, env: dict) -> tuple[Zygote | None, str, dict]:
    """Start a zygote for the run's kernels when possible.

    Parameters
    ----------
    kernel : str
        The kernel chosen for the run (:func:`iomlib.report.kernel.choose_kernel`).
    scratch : Path
        The run's temporary folder.
    env : dict
        The kernels' extra environment.

    Returns
    -------
    (Zygote or None, str, dict)
        The zygote (None when forking is off or the kernel is not a plain ipykernel), the
        kernel name to run the notebooks with and the environment with its ``JUPYTER_PATH``.
    """
    python = kernel_python(kernel, env) if enabled() else None
    if python is None:
        return None, kernel, env
    z = Zygote(python, scratch, env)
    name, extra = z.kernel_spec(scratch)
    return z, name, {**env, **extra}


# ---------------------------------------------------------------------------------- the zygote

def _send(conn: socket.socket, obj) -> None:
    data = json.dumps(obj).encode()
    conn.sendall(struct.pack("!I", len(data)) + data)


def _recv_exact(conn: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        part = conn.recv(n - len(buf))
        if not part:
            raise ConnectionError("zygote: connection closed")
        buf += part
    return buf


def _recv(conn: socket.socket):
    (n,) = struct.unpack("!I", _recv_exact(conn, 4))
    if n > _MAX_MESSAGE:
        raise ConnectionError(f"zygote: message of {n} bytes")
    return json.loads(_recv_exact(conn, n))


def serve(sock_path: str, ready: str) -> int:
    """The zygote: import :data:`PRELOAD`, then fork a kernel for every client.

    Exits when its parent (the runner) goes away or on SIGTERM.
    """
    os.environ.setdefault("MPLBACKEND", _INLINE)
    import importlib
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001  (a kernel imports what it needs itself)
            print(f"zygote: could not preload {name}: {exc}", flush=True)
    _warm_up()
    parent = os.getppid()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(sock_path)
    server.listen(16)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)      # forked kernels are reaped by the OS
    Path(ready).write_text(str(os.getpid()))
    while os.getppid() == parent:
        if not select.select([server], [], [], 1.0)[0]:
            continue
        conn, _ = server.accept()
        try:
            msg, fds, _, _ = socket.recv_fds(conn, 4096, 3)
            request = json.loads(msg)
        except (OSError, ValueError):
            conn.close()
            continue
        if len(fds) != 3:
            conn.close()
            continue
        pid = os.fork()
        if pid == 0:                                    # the kernel
            server.close()
            _become_kernel(conn, fds, request)          # never returns
        conn.close()
        for fd in fds:
            os.close(fd)
    return 0


def _warm_up() -> None:
    """Load the risk engine's compiled kernel (Numba's disk cache, or a first compilation) and
    the offence codes, so that forked kernels find them ready."""
    try:
        import numpy as np

        from iomlib.risk.grid import window_grid
        window_grid(np.zeros(1, np.int64), np.zeros(1, np.int64), np.ones(1), np.arange(2),
                    1, 365, 14.0)
    except Exception as exc:  # noqa: BLE001  (a kernel does this itself when it needs it)
        print(f"zygote: could not warm up the risk engine: {exc}", flush=True)


def _become_kernel(conn: socket.socket, fds: list[int], request: dict) -> None:
    """In the forked child: take the client's streams, folder and environment; run a kernel."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
            os.close(fd)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        sys.path[0] = ""
        sys.argv = [sys.executable, "-f", request["connection_file"]]
        _send(conn, {"pid": os.getpid()})
        _watch(conn)
        from ipykernel.kernelapp import IPKernelApp
        app = IPKernelApp.instance()
        # the zygote is the kernel's parent: the kernel exits if it goes (ipykernel's poller)
        app.initialize(["-f", request["connection_file"],
                        f"--IPKernelApp.parent_handle={os.getppid()}"])
        app.start()
        code = 0
    except BaseException as exc:  # noqa: BLE001  (the child must never return to the loop)
        print(f"zygote kernel: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
    finally:
        os._exit(code)


def _watch(conn: socket.socket) -> None:
    """Exit the kernel when its client's end of ``conn`` closes (the client was killed)."""
    import threading

    def wait():
        try:
            while conn.recv(64):
                pass
        except OSError:
            pass
        os._exit(0)

    threading.Thread(target=wait, name="iom-zygote-watch", daemon=True).start()


# ---------------------------------------------------------------------------------- the client

def connect(sock_path: str, connection_file: str, zygote_pid: int | None = None,
            wait: float = 30.0) -> int:
    """Ask the zygote for a kernel and stand in for it; start a plain kernel if it fails."""
    try:
        conn = _connect(sock_path, wait, zygote_pid)
        socket.send_fds(conn, [json.dumps({
            "connection_file": os.path.abspath(connection_file), "cwd": os.getcwd(),
            "env": dict(os.environ)}).encode()], [0, 1, 2])
        pid = int(_recv(conn)["pid"])
    except (OSError, ValueError, KeyError, ConnectionError) as exc:
        print(f"iom: forked kernel unavailable ({exc}); starting a plain kernel", file=sys.stderr,
              flush=True)
        os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", "-f",
                                  connection_file])
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(sig, _forward(pid))
    while True:
        try:
            if not conn.recv(64):
                return 0
        except InterruptedError:
            continue
        except OSError:
            return 0


def _forward(pid: int):
    def handler(signum, _frame):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass
        if signum != signal.SIGINT:
            os._exit(0)
    return handler


def _connect(sock_path: str, wait: float, zygote_pid: int | None) -> socket.socket:
    """A connection to the zygote's socket, retried while the zygote is still importing (no
    socket yet); a socket nobody listens on, or no zygote process, means it has gone."""
    deadline = time.monotonic() + wait
    while True:
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            conn.connect(sock_path)
            return conn
        except FileNotFoundError:
            conn.close()
            if time.monotonic() > deadline or (zygote_pid and not _exists(zygote_pid)):
                raise
            time.sleep(0.05)
        except OSError:
            conn.close()
            raise


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # an exited zygote that its runner has not reaped yet
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except (OSError, IndexError):
        return True


def main(argv: list[str]) -> int:
    """``serve SOCKET READY_FILE`` or ``connect SOCKET CONNECTION_FILE [ZYGOTE_PID]``."""
    if len(argv) == 3 and argv[0] == "serve":
        return serve(argv[1], argv[2])
    if len(argv) in (3, 4) and argv[0] == "connect":
        return connect(argv[1], argv[2], int(argv[3]) if len(argv) == 4 else None)
    print("usage: python -m iomlib.report.zygote serve SOCKET READY_FILE | "
          "connect SOCKET CONNECTION_FILE [ZYGOTE_PID]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
