"""A real redis-server for the distributed tests (Debian's /usr/bin/redis-server; no fake Redis).

    with RedisServer(tmp_path) as server:          # a free port on 127.0.0.1, AOF on
        client = redis.Redis.from_url(server.url)
        server.restart()                            # same dir, same port: the AOF is replayed

Persistence is the append-only file only (``--appendonly yes --appendfsync always``, ``--save ''``)
so that a restart keeps every acknowledged write, as docs/distributed.md tells users to run it.
When redis-server is missing the tests are skipped with the reason, unless
NEWSCRAWL_REQUIRE_REDIS=1 (CI sets it): then they fail, so that a missing install is not green.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

START_TIMEOUT = 10.0  # seconds to wait for PING after a start (an AOF replay is included)


def redis_server_binary() -> str | None:
    return shutil.which("redis-server") or ("/usr/bin/redis-server" if os.path.exists("/usr/bin/redis-server") else None)


def require_redis_server() -> str:
    binary = redis_server_binary()
    if binary is None:
        reason = "redis-server is not installed (Debian: apt-get install redis-server)"
        if os.environ.get("NEWSCRAWL_REQUIRE_REDIS") == "1":
            pytest.fail(reason + "; NEWSCRAWL_REQUIRE_REDIS=1 says it must be", pytrace=False)
        pytest.skip(reason)
    return binary


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _ping(port: int, timeout: float = 0.5) -> bool:
    """PING over a raw socket: the fixture does not depend on the client under test."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    def __init__(self, folder: Path, binary: str | None = None) -> None:
        self.binary = binary or require_redis_server()
        self.dir = Path(folder)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        cmd = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
               "--appendonly", "yes", "--appendfsync", "always", "--save", "",
               "--protected-mode", "yes", "--daemonize", "no", "--logfile", str(self.dir / "redis.log")]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited with {self.proc.returncode}: {self._log_tail()}")
            if _ping(self.port):
                return self
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"redis-server did not answer PING within {START_TIMEOUT:g}s: {self._log_tail()}")

    def _log_tail(self) -> str:
        try:
            return (self.dir / "redis.log").read_text(errors="replace")[-1000:]
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """SHUTDOWN (the AOF is already synced: appendfsync always), then make sure the process is gone."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"SHUTDOWN\r\n")
                    sock.recv(64)
            except OSError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.proc = None

    def kill(self) -> None:
        """SIGKILL: what a crashed machine does (only what the AOF holds comes back)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self.proc = None

    def restart(self, *, hard: bool = False, down_for: float = 0.0) -> None:
        """Stop (SHUTDOWN, or SIGKILL with hard=True), stay down *down_for* seconds (so that busy
        clients cannot miss it), and start again on the same dir and port."""
        self.kill() if hard else self.stop()
        time.sleep(down_for)
        self.start()

    def __enter__(self) -> "RedisServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@pytest.fixture
def redis_server(tmp_path):
    """A fresh redis-server per test (its own port and AOF directory)."""
    with RedisServer(tmp_path / "redis") as server:
        yield server


@pytest.fixture
def redis_client(redis_server):
    from newscrawl.distributed.connection import connect

    client = connect(redis_server.url)
    yield client
    client.close()
