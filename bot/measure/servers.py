"""The production server started for a measurement: gunicorn (web/gunicorn.conf.py) on a free
loopback port, nginx (deploy/) in front of it when asked, both stopped afterwards.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from bot.settings import ROOT

HOST = "127.0.0.1"


@contextmanager
def servers(env: dict | None = None, proxy: bool = False, progress=lambda m: None):
    """gunicorn (web/gunicorn.conf.py, the settings of `env`) on a free loopback port, and nginx in front
    of it when `proxy`; yields {"direct": port, "proxy": port or None}. Everything stops afterwards."""
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        server_env = dict(os.environ, BOT_PORT=str(port), BOT_HOST=HOST, BOT_RATE_LIMIT="", BOT_LOG_LEVEL="warning",
                          BOT_PIDFILE=str(Path(tmp) / "gunicorn.pid"), BOT_TRUSTED_PROXIES="1", **(env or {}))
        progress(f"starting gunicorn on {HOST}:{port}")
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "web/gunicorn.conf.py",
                                   "--access-logfile", os.devnull], cwd=ROOT, env=server_env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        nginx = None
        try:
            wait_ready(port, server)
            ports = {"direct": port, "proxy": None}
            if proxy:
                sys.path.insert(0, str(ROOT))
                from deploy.serve import start_nginx

                ports["proxy"] = free_port()
                progress(f"starting nginx on {HOST}:{ports['proxy']} in front of it")
                nginx = start_nginx(Path(tmp) / "nginx", HOST, ports["proxy"], [f"{HOST}:{port}"],
                                    int(server_env.get("BOT_MAX_BODY_BYTES") or 16384))
            yield ports
        finally:
            if nginx is not None:
                nginx.stop()
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_ready(port: int, server: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped: {server.stderr.read().decode(errors='replace')[-500:]}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the server did not become ready in time")
