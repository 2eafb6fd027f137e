"""The kernel client of report runs: ready as soon as the kernel has answered.

jupyter_client's client, once a new kernel has answered ``kernel_info`` and IOPub is connected,
waits until IOPub has been silent for 0.2 s before the first cell is sent. A report starts a
kernel per notebook, so that wait is paid eight times a run; :class:`QuickStartClient` drains
the start-up messages already queued (for :data:`DRAIN_SECONDS`) instead. Messages arriving
later are not lost or misplaced: nbclient files every output by the request it answers.
Used only by the report runner's kernel manager (:func:`iomlib.report.kernel.kernel_manager_class`).
"""
from __future__ import annotations

import time
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_core.utils import ensure_async

#: Seconds of IOPub silence that end the start-up drain (jupyter_client waits 0.2 s).
DRAIN_SECONDS = 0.02


class QuickStartClient(AsyncKernelClient):
    """An :class:`AsyncKernelClient` whose :meth:`wait_for_ready` drains IOPub briefly."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        """Wait for the kernel's ``kernel_info`` reply and a first IOPub message.

        As jupyter_client's (the reply on the shell channel, then a message on IOPub to show
        that IOPub is connected, asking again otherwise), then IOPub drained until it has been
        silent for :data:`DRAIN_SECONDS`.

        Parameters
        ----------
        timeout : float, optional
            Seconds before giving up (None: wait while the kernel lives).

        Raises
        ------
        RuntimeError
            The kernel died before replying, or did not reply in time.
        """
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                msg = await ensure_async(self.shell_channel.get_msg(timeout=1))
            except Empty:
                msg = None
            if msg is not None and msg["msg_type"] == "kernel_info_reply":
                try:
                    await ensure_async(self.iopub_channel.get_msg(timeout=0.2))
                except Empty:
                    pass          # IOPub not connected yet: ask again
                else:
                    self._handle_kernel_info_reply(msg)
                    break
            if not await ensure_async(self.is_alive()):
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")
        while True:
            try:
                await ensure_async(self.iopub_channel.get_msg(timeout=DRAIN_SECONDS))
            except Empty:
                return
