"""Progress of a run's notebooks on standard error."""
from __future__ import annotations

import shutil
import sys
import time


class Progress:
    """Progress of the notebooks: one line per notebook updated in place on a terminal,
    plain log lines otherwise.

    Parameters
    ----------
    names : list of str
        Notebooks in display order.
    cells : dict of str to int
        Number of cells of each notebook (after parameter injection).
    stream : file
        Where to write (standard error).
    tty : bool, optional
        Force the terminal mode on or off (default: ``stream.isatty()``).
    """

    def __init__(self, names, cells, stream=None, tty=None):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.names = list(names)
        self.cells = dict(cells)
        self.state = {n: {"status": "waiting", "t0": None, "cell": None, "seconds": None}
                      for n in self.names}
        self.width = max(len(n) for n in self.names) if self.names else 0
        self._lines = 0

    def log(self, msg: str) -> None:
        """Write a plain message (above the progress block on a terminal).

        Parameters
        ----------
        msg : str
        """
        if self.tty and self._lines:
            self.stream.write(f"\x1b[{self._lines}F\x1b[J")
            self._lines = 0
        self.stream.write(msg + "\n")
        self.stream.flush()
        if self.tty:
            self.draw()

    def event(self, ev: tuple) -> None:
        """Apply an event from a worker.

        Parameters
        ----------
        ev : tuple
            ``("start", name, t)``, ``("cell", name, i)`` or ``("end", name, status, seconds)``.
        """
        kind, name = ev[0], ev[1]
        st = self.state.get(name)
        if st is None:
            return
        if kind == "start":
            st.update(status="running", t0=ev[2])
            if not self.tty:
                self.log(f"iom report: {name}: started")
        elif kind == "cell":
            st["cell"] = ev[2] + 1
        elif kind == "end":
            self.finish(name, ev[2], ev[3])

    def finish(self, name: str, status: str, seconds: float, message: str = "") -> None:
        """Mark a notebook finished (idempotent).

        Parameters
        ----------
        name : str
        status : {"ok", "failed"}
        seconds : float
        message : str
            Shown after the plain log line.
        """
        st = self.state[name]
        if st["status"] in ("ok", "failed", "nothing to show"):
            return
        st.update(status=status, seconds=seconds)
        if not self.tty:
            said = {"ok": "done", "nothing to show": "nothing to show"}.get(status, "FAILED")
            self.log(f"iom report: {name}: {said} in "
                     f"{seconds:.1f} s" + (f" ({message})" if message else ""))

    def _line(self, name: str) -> str:
        st = self.state[name]
        s = st["status"]
        if s == "waiting":
            tail = "[wait]"
        elif s == "running":
            el = time.time() - (st["t0"] or time.time())
            cell = (f"cell {st['cell']}/{self.cells.get(name, '?')}" if st["cell"]
                    else "starting kernel")
            tail = f"[run ] {cell:<18} {el:6.1f} s"
        else:
            mark = {"ok": " ok ", "nothing to show": "none"}.get(s, "FAIL")
            tail = f"[{mark}] {'':<18} {st['seconds']:6.1f} s"
        return f"  {name:<{self.width}}  {tail}"

    def close(self) -> None:
        """Draw the final state; later messages are written below it."""
        self.draw()
        self.tty = False
        self._lines = 0

    def draw(self) -> None:
        """Redraw the block of lines (terminal mode only)."""
        if not self.tty:
            return
        cols = shutil.get_terminal_size((100, 20)).columns - 1
        out = [f"\x1b[{self._lines}F" if self._lines else ""]
        for n in self.names:
            out.append("\x1b[2K" + self._line(n)[:cols] + "\n")
        self._lines = len(self.names)
        self.stream.write("".join(out))
        self.stream.flush()
