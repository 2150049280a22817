"""Load test of the production server on loopback with wrk (Debian's package).

Starts gunicorn with web/gunicorn.conf.py on a free port, waits until /readyz answers, drives
POST /api/ask at a fixed concurrency for a fixed time with a mix of repeated questions (the
kiosk's suggestion buttons) and unique ones, then stops everything. Bounded in time twice over:
wrk's own --duration, and a timeout on every process it starts.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from bot.settings import ROOT

LUA = """
local repeated = {%(repeated)s}
local unique = {%(unique)s}
local counter = 0
local share = %(repeat_share)s
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  counter = counter + 1
  local body
  if (counter %% 100) < share * 100 then
    body = '{"question": "' .. repeated[(counter %% #repeated) + 1] .. '"}'
  else
    body = '{"question": "' .. unique[(counter %% #unique) + 1] .. ' (' .. counter .. ')"}'
  end
  return wrk.format(nil, "/api/ask", nil, body)
end
"""
UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def run(repeated: list[str], unique: list[str], connections: int = 16, seconds: int = 20,
        repeat_share: float = 0.5, env: dict | None = None, progress=lambda m: None) -> dict:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: apt-get install -y wrk")
    port = _free_port()
    server_env = dict(os.environ, BOT_PORT=str(port), BOT_HOST="127.0.0.1", BOT_RATE_LIMIT="",
                      BOT_LOG_LEVEL="warning", **(env or {}))
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "mix.lua"
        script.write_text(LUA % {"repeated": _lua_list(repeated), "unique": _lua_list(unique),
                                 "repeat_share": repeat_share})
        server_env["BOT_PIDFILE"] = str(Path(tmp) / "gunicorn.pid")
        progress(f"starting gunicorn on 127.0.0.1:{port}")
        server = subprocess.Popen([str(Path(os.sys.executable).parent / "gunicorn"), "--config", "web/gunicorn.conf.py",
                                   "--access-logfile", os.devnull], cwd=ROOT, env=server_env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        try:
            _wait_ready(port, server)
            url = f"http://127.0.0.1:{port}"
            progress("warming up the workers")
            subprocess.run(["wrk", "-t2", f"-c{connections}", "-d3s", "-s", str(script), url],
                           capture_output=True, timeout=30, check=True)
            progress(f"wrk: {connections} connections for {seconds} s, {round(repeat_share * 100)}% repeated questions")
            out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
                                 capture_output=True, text=True, timeout=seconds + 30, check=True).stdout
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
    result = parse(out)
    result.update({"connections": connections, "seconds": seconds, "repeat_share": repeat_share,
                   "workers": int(server_env.get("BOT_WORKERS", "2")), "threads": int(server_env.get("BOT_THREADS", "4")),
                   "embed_threads": int(server_env.get("BOT_EMBED_THREADS") or 1), "cores": os.cpu_count()})
    return result


def parse(out: str) -> dict:
    """Throughput, latency percentiles and errors from wrk's --latency report."""
    def latency(pct: str) -> float | None:
        match = re.search(rf"^\s*{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
        return round(float(match.group(1)) * UNIT[match.group(2)], 3) if match else None

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"requests": int(total.group(1)) if total else 0,
            "answers_per_s": float(rps.group(1)) if rps else 0.0,
            "p50_ms": latency("50"), "p75_ms": latency("75"), "p90_ms": latency("90"), "p99_ms": latency("99"),
            "errors": (int(non2xx.group(1)) if non2xx else 0) + (sum(map(int, sockets.groups())) if sockets else 0),
            "wrk": out}


def report(result: dict) -> str:
    return (f"{result['cores']} cores; gunicorn {result['workers']} workers x {result['threads']} threads; "
            f"{result['connections']} connections for {result['seconds']} s; "
            f"{round(result['repeat_share'] * 100)}% repeated questions\n"
            f"{result['requests']} answers, {result['answers_per_s']:.0f} answers/s, errors {result['errors']}\n"
            f"latency p50 {result['p50_ms']} ms, p90 {result['p90_ms']} ms, p99 {result['p99_ms']} ms")


def _lua_list(items: list[str]) -> str:
    return ", ".join("[==[" + json.dumps(q)[1:-1] + "]==]" for q in items)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(port: int, server: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped: {server.stderr.read().decode(errors='replace')[-500:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the server did not become ready in time")
