"""Real servers on free loopback ports, for the fault, reload, privacy, serving and soak tests.

`gunicorn` runs `gunicorn --config web/gunicorn.conf.py` exactly as `make run` does, with the folders
and settings given as BOT_* environment variables; its stdout and stderr go to one log file.
`nginx` renders deploy/nginx.conf in front of some gunicorn ports exactly as `make serve` does
(deploy/serve.py); `redis` starts Debian's redis-server with a temporary folder and no persistence.
Only loopback addresses are used, every wait is bounded, and everything is stopped afterwards.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"


@dataclass
class Reply:
    status: int
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Endpoint:
    port: int

    def request(self, method: str, path: str, body=None, headers: dict | None = None, timeout: float = 30) -> Reply:
        """One request on a new connection (no keep-alive, so every request meets the server anew)."""
        headers = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        conn = http.client.HTTPConnection(HOST, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers={"Connection": "close", **headers})
            response = conn.getresponse()
            return Reply(response.status, dict(response.getheaders()), response.read())
        finally:
            conn.close()

    def ask(self, question: str, timeout: float = 30, **fields) -> Reply:
        return self.request("POST", "/api/ask", {"question": question, **fields}, timeout=timeout)


@dataclass
class Server(Endpoint):
    process: subprocess.Popen
    log_path: Path
    pidfile: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def workers(self) -> list[int]:
        return children(self.pid)

    def wait_for_workers(self, count: int, exclude=(), timeout: float = 30) -> list[int]:
        """The worker pids once `count` of them run, none of them in `exclude`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = [p for p in self.workers() if p not in exclude]
            if len(pids) == count and len(self.workers()) == count:
                return pids
            time.sleep(0.1)
        raise TimeoutError(f"gunicorn did not settle on {count} new workers: {self.workers()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (gunicorn's workers), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (name)": state, ppid, ...
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return sorted(found)


def rss_kib(pid: int) -> int:
    """Resident memory of a process in KiB (VmRSS from /proc/<pid>/status), 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@contextmanager
def gunicorn(workdir: Path, knowledge: Path, index: Path, workers: int = 1, threads: int = 4,
             rate_limit: str = "", startup: float = 60, **env):
    """Start gunicorn, wait until it answers /healthz, yield a Server, stop it (bounded)."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log_path = workdir / "server.log"
    pidfile = workdir / "run" / "gunicorn.pid"
    environment = {
        **os.environ, "HF_HUB_OFFLINE": "1", "BOT_HOST": HOST, "BOT_PORT": str(port),
        "BOT_WORKERS": str(workers), "BOT_THREADS": str(threads), "BOT_RATE_LIMIT": rate_limit,
        "BOT_KNOWLEDGE_DIR": str(knowledge), "BOT_INDEX_DIR": str(index), "BOT_PIDFILE": str(pidfile),
        **{k: str(v) for k, v in env.items()},
    }
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "web/gunicorn.conf.py"],
                                   cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    server = Server(port, process, log_path, pidfile)
    try:
        _wait_until_up(server, startup)
        yield server
    finally:
        stop(process)


def _wait_until_up(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.process.returncode}:\n{server.log()[-3000:]}")
        try:
            if server.request("GET", "/healthz", timeout=2).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"gunicorn did not answer within {timeout} s:\n{server.log()[-3000:]}")


def stop(process: subprocess.Popen, timeout: float = 25) -> None:
    """SIGTERM to the master (graceful), SIGKILL to its process group if it does not stop in time."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def wait_for(condition, timeout: float = 30, every: float = 0.05, what: str = "condition"):
    """Poll `condition` until it returns something true (returned), or TimeoutError after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not met within {timeout} s")
        time.sleep(every)


@dataclass
class Proxy(Endpoint):
    state_dir: Path

    def log(self) -> str:
        return "".join((self.state_dir / name).read_text(errors="replace")
                       for name in ("error.log", "access.log") if (self.state_dir / name).exists())


@contextmanager
def nginx(workdir: Path, upstream_ports, max_body: int = 16 * 1024):
    """nginx with deploy/nginx.conf in front of gunicorn on `upstream_ports`; yields a Proxy."""
    from deploy.serve import start_nginx

    port = free_port()
    started = start_nginx(workdir / "nginx", HOST, port, [f"{HOST}:{p}" for p in upstream_ports], max_body)
    try:
        yield Proxy(port, workdir / "nginx")
    finally:
        started.stop()


@contextmanager
def redis(workdir: Path, startup: float = 20):
    """Debian's redis-server on a free loopback port, nothing written to disk; yields its URL."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        raise RuntimeError("redis-server is not installed: apt-get install -y redis-server (.ci/run does)")
    folder = workdir / "redis"
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    with open(folder / "redis.log", "wb") as log:
        process = subprocess.Popen([binary, "--port", str(port), "--bind", HOST, "--dir", str(folder), "--save", "",
                                    "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes"],
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_for(lambda: process.poll() is not None or _redis_answers(port), startup, what="redis PING")
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited: {(folder / 'redis.log').read_text()[-1000:]}")
        yield f"redis://{HOST}:{port}/0"
    finally:
        stop(process)


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class BackgroundLoad:
    """Requests from a few threads, nonstop, until the block ends; counts every request and keeps
    every failure (a status other than 200, or a connection refused, reset or cut short).
    A subclass says what request number `i` is (`request`)."""

    def __init__(self, threads: int = 4):
        self.done, self.failures = 0, []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(n,)) for n in range(threads)]

    def request(self, i: int):
        raise NotImplementedError

    def _run(self, i: int) -> None:
        while not self.stopping.is_set():
            i += 1
            try:
                reply = self.request(i)
                if reply.status != 200:
                    self.failures.append(f"{reply.status} {reply.body[:120]!r}")
            except (OSError, http.client.HTTPException) as exc:
                self.failures.append(repr(exc))
            self.done += 1

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=40)
