"""One kernel for an area's notebooks: started by the first, reset before each next one,
shut down when the area is done.

Why: a notebook kernel costs about a second to start and half a second more to import
qualcode, pandas and plotly again; an area runs two notebooks, and a programme twenty
areas. A reset (IPython's own `reset`: a fresh namespace and execution count, the imported
modules kept) means a notebook never sees the variables of the one before it, as if it had
its own kernel. Notebooks in different folders get their own kernel (it starts in the
notebook's folder, which relative paths in it are read from).
"""

from __future__ import annotations

import time
from pathlib import Path
from queue import Empty
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from qualcode.pipeline.errors import PipelineError

RESET = "get_ipython().reset(new_session=True)"  # namespace, history and In[] count


class _SharedKernelManager(AsyncKernelManager):  # type: ignore[misc]
    """A kernel papermill does not own: nbclient leaves the clients it opens on such a kernel
    connected, so they are kept here and closed after each notebook."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.opened: list[Any] = []

    def client(self, **kwargs: Any) -> Any:
        kc = super().client(**kwargs)
        self.opened.append(kc)
        return kc

    def close_clients(self) -> None:
        for kc in self.opened:
            kc.stop_channels()
        self.opened.clear()


class AreaKernels:
    """The kernels of one area's run (see the module docstring); `for_notebook` gives the
    kernel manager to hand papermill (`km=`), `close` shuts every kernel down."""

    def __init__(self, kernel_name: str) -> None:
        self.kernel_name = kernel_name
        self._by_folder: dict[Path, _SharedKernelManager] = {}

    def for_notebook(self, notebook: Path) -> _SharedKernelManager:
        """The kernel for `notebook`: its folder's, reset, or a new one papermill starts."""
        folder = notebook.resolve().parent
        km = self._by_folder.get(folder)
        if km is None:
            km = self._by_folder[folder] = _SharedKernelManager(kernel_name=self.kernel_name)
        else:
            km.close_clients()
            if km.has_kernel:
                run_sync(_reset)(km, notebook)
        return km

    def peak_mb(self, km: _SharedKernelManager) -> float | None:
        """The kernel's peak resident memory so far, in MB (Linux; None elsewhere)."""
        pid = getattr(km.provisioner, "pid", None) if km.has_kernel else None
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return None
        kb = next(
            (line.split()[1] for line in status.splitlines() if line.startswith("VmHWM")), None
        )
        return round(int(kb) / 1024, 1) if kb else None

    def close(self) -> None:
        """Shut every kernel down (a kernel that will not stop is killed)."""
        for km in self._by_folder.values():
            km.close_clients()
            if km.has_kernel:
                run_sync(km.shutdown_kernel)(now=False)
        self._by_folder.clear()


async def _reset(km: _SharedKernelManager, notebook: Path, timeout: float = 60) -> None:
    """Reset the kernel's namespace before `notebook` runs in it, waiting for the reply."""
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=timeout)
        msg_id = kc.execute(RESET, silent=True, store_history=False)
        deadline = time.monotonic() + timeout
        while True:
            try:
                reply = await kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
            except Empty:
                raise PipelineError(
                    f"the kernel did not answer within {timeout:.0f} s when reset before "
                    f"{notebook.name}"
                ) from None
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        if reply["content"].get("status") != "ok":
            raise PipelineError(
                f"the kernel could not be reset before {notebook.name}: "
                f"{reply['content'].get('evalue', reply['content'].get('status'))}"
            )
    finally:
        km.close_clients()
