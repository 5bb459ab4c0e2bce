"""Start `fieldwork serve --demo` on a free loopback port, read its API key, and stop it again."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import requests

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_KEY = re.compile(r"API key:\s*(\S+)")
_BASE = re.compile(r"Base URL:\s*(https?://\S+)")


class ServerError(RuntimeError):
    """The server could not be started or never became ready."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class FieldworkServer:
    """One demo server process; its output goes to ``log_path``."""

    def __init__(self, binary: str, database_url: str, log_path: Path, extra_args: list[str]):
        self.binary = binary
        self.database_url = database_url
        self.log_path = log_path
        self.extra_args = extra_args
        self.proc: subprocess.Popen[str] | None = None
        self.api_key: str | None = None
        self.base_url: str | None = None
        self._lines_seen = threading.Event()
        self._reader: threading.Thread | None = None

    def start(self, timeout: float = 90.0) -> None:
        if not os.path.isfile(self.binary) or not os.access(self.binary, os.X_OK):
            raise ServerError(f"server binary not found or not executable: {self.binary}")
        port = free_port()
        listen = f"127.0.0.1:{port}"
        cmd = [self.binary, "serve", "--demo", "--listen", listen,
               "--database", self.database_url, *self.extra_args]
        print(f"starting: {' '.join(cmd)}", flush=True)
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,  # its own process group, so stop() reaches its children only
            env={**os.environ, "NO_COLOR": "1"},
        )
        self._reader = threading.Thread(target=self._read_output, daemon=True)
        self._reader.start()

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self._lines_seen.is_set():
            if self.proc.poll() is not None:
                time.sleep(0.2)  # let the reader drain the last lines
                raise ServerError(
                    f"server exited with code {self.proc.returncode} before printing its API key "
                    f"and base URL\n{self.log_tail()}")
            self._lines_seen.wait(0.2)
        if not self._lines_seen.is_set():
            raise ServerError(f"server printed no 'API key:' / 'Base URL:' line within {timeout:.0f}s"
                              f"\n{self.log_tail()}")
        if not self.base_url:
            self.base_url = f"http://{listen}"
        self.base_url = self.base_url.rstrip("/")
        self._wait_ready(deadline)

    def _read_output(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        with open(self.log_path, "w", encoding="utf-8") as log:
            for raw in self.proc.stdout:
                line = _ANSI.sub("", raw)
                log.write(line)
                log.flush()
                if self.api_key is None and (m := _KEY.search(line)):
                    self.api_key = m.group(1).strip().strip("'\"`")
                if self.base_url is None and (m := _BASE.search(line)):
                    self.base_url = m.group(1).strip().strip("'\"`")
                if self.api_key and self.base_url:
                    self._lines_seen.set()

    def _wait_ready(self, deadline: float) -> None:
        last = "no response"
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise ServerError(f"server exited with code {self.proc.returncode}\n{self.log_tail()}")
            try:
                resp = requests.get(f"{self.base_url}/company",
                                    headers={"Authorization": f"Token {self.api_key}"}, timeout=5)
                if resp.status_code == 200:
                    return
                last = f"GET /company -> {resp.status_code} {resp.text[:200]}"
            except requests.RequestException as exc:
                last = f"GET /company failed: {exc.__class__.__name__}"
            time.sleep(0.3)
        raise ServerError(f"server never answered GET /company with 200 ({last})\n{self.log_tail()}")

    def is_running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return "(no server output)"
        tail = text[-lines:]
        return "--- server output (last %d lines) ---\n%s\n---" % (len(tail), "\n".join(tail))

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)
        if self._reader is not None:
            self._reader.join(timeout=5)
