"""Child processes in their own process groups, free ports, and waiting for them to answer."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
import ctypes
from dataclasses import dataclass, field
import os
from pathlib import Path
import signal
import socket
import subprocess
import sys
import threading
from typing import IO

LOOPBACK = "127.0.0.1"
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def port_is_free(port: int, host: str = "") -> bool:
    """Return whether a TCP port can be listened on (host "" = every interface)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As servers do (aiohttp, Home Assistant): a port whose last connections are only in
        # TIME_WAIT can be listened on again.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = LOOPBACK) -> int:
    """Return a TCP port that is free right now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
    return port


def free_ports(count: int, host: str = LOOPBACK) -> list[int]:
    """Return `count` different TCP ports that are free right now."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.bind((host, 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def preferred_port(port: int, host: str = "") -> int:
    """Return `port` when it is free, else a free one."""
    return port if port_is_free(port, host) else free_port(host or LOOPBACK)


class ProcessError(RuntimeError):
    """A child process ended or did not become ready; the message ends with its log tail."""


class PortTakenError(ProcessError):
    """Another process took the port between choosing it and listening on it."""


@dataclass
class Child:
    """A child process started in a new session, so that its whole group can be stopped."""

    name: str
    argv: Sequence[str]
    log_path: Path
    cwd: Path
    env: dict[str, str] | None = None
    popen: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _log: IO[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        """Start (again) from the main thread; output goes to log_path, appended."""
        if threading.current_thread() is not threading.main_thread():
            raise ProcessError(f"{self.name}: start children from the main thread")
        if self.running:
            raise ProcessError(f"{self.name} is already running")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        self.popen = subprocess.Popen(  # noqa: S603  (argv built by us)
            list(self.argv),
            cwd=self.cwd,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # noqa: PLW1509  (only prctl, no locks)
        )

    @property
    def pid(self) -> int | None:
        """Process id (= process group id) of the running child."""
        return self.popen.pid if self.popen is not None else None

    @property
    def running(self) -> bool:
        """Whether the child is alive."""
        return self.popen is not None and self.popen.poll() is None

    @property
    def returncode(self) -> int | None:
        """Exit status once the child has ended."""
        return self.popen.poll() if self.popen is not None else None

    def log_tail(self, lines: int = 40) -> str:
        """Return the last lines of the log."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def fail(self, message: str) -> ProcessError:
        """Return an error that carries the log tail."""
        return ProcessError(
            f"{self.name}: {message}\n--- last lines of {self.log_path} ---\n"
            f"{self.log_tail()}"
        )

    def check_alive(self) -> None:
        """Raise when the child has ended."""
        if self.popen is not None and (code := self.popen.poll()) is not None:
            raise self.fail(f"exited with status {code}")

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the child to end by itself; return its status."""
        assert self.popen is not None
        code = self.popen.wait(timeout)
        self._close_log()
        return code

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM the process group, wait, SIGKILL it after `timeout`; idempotent."""
        if self.popen is None:
            return None
        popen = self.popen
        if popen.poll() is None:
            _signal_group(popen.pid, signal.SIGTERM)
            try:
                popen.wait(timeout)
            except subprocess.TimeoutExpired:
                _signal_group(popen.pid, signal.SIGKILL)
                popen.wait()
        # Children the leader left behind in its group.
        _signal_group(popen.pid, signal.SIGKILL)
        self._close_log()
        return popen.returncode

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the parent dies (Linux), so no orphan outlives a kill -9.

    "Parent" is the thread that forked: start children from the main thread (a child
    started from a short-lived thread would be terminated when that thread ends).
    """
    with suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def python_child(
    name: str,
    args: Sequence[str],
    *,
    log_path: Path,
    cwd: Path,
    python: str | None = None,
) -> Child:
    """Return a child running `python` (default: this interpreter, the venv's) with `args`."""
    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return Child(name, [python or sys.executable, *args], log_path, cwd, env)
