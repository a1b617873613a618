"""``portal worker`` as a process beside the servers of the benchmarks and the server tests."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from bench.http_harness import ROOT


class WorkerProcess:
    """``portal worker --threads N`` with the given environment (the servers' settings)."""

    def __init__(self, env: dict[str, str], *, threads: int = 1, log: Path) -> None:
        self.env = env
        self.threads = threads
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        handle = self.log.open("ab")
        command = [sys.executable, "-c", "from portal.cli import main; main()", "worker",
                   "--threads", str(self.threads)]
        self.process = subprocess.Popen(command, env=self.env, cwd=ROOT, stdout=handle,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        handle.close()

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def children(self) -> list[int]:
        """The processes it started (its PDF checks), across its threads."""
        if self.process is None:
            return []
        found: list[int] = []
        for task in Path(f"/proc/{self.process.pid}/task").glob("*/children"):
            try:
                found += [int(p) for p in task.read_text().split()]
            except OSError:
                continue
        return found

    def kill(self) -> None:
        """As the machine or an OOM killer would: no chance to finish anything."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 40  # (a check running is finished first)
        while self.process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)
