"""Slow clients against the server: `count` sockets held open (one byte then nothing, headers or a
body at one byte a second) while a normal client asks questions, alone and under that load, in
alternating phases (`python -m bot.measure.loadtest --slow N`; docs/deploy.md).
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import threading
import time

from bot.measure.servers import HOST, servers


class SlowClients:
    """`count` sockets held open against a port: a third send one byte then nothing, a third their
    headers at one byte a second (never finishing), a third a whole header then a body at one byte a
    second. One the server closes is opened again at once, as an attacker would, so `count` stay open."""

    KINDS = ("one byte", "headers at 1 byte/s", "body at 1 byte/s")
    HEADER = b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Slow: " + b"a" * 4000
    BODY = b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n"

    def __init__(self, port: int, count: int, host: str = HOST):
        self.host, self.port, self.count = host, port, count
        self.opened = self.reopened = self.refused = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _open(self, kind: int) -> tuple[socket.socket | None, int, int]:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=5)
            sock.sendall(b"P" if kind == 0 else (self.HEADER[:1] if kind == 1 else self.BODY + b"{"))
        except OSError:
            self.refused += 1
            return None, kind, 0
        sock.setblocking(False)
        self.opened += 1
        return sock, kind, 1

    def _run(self) -> None:
        held = [self._open(i % 3) for i in range(self.count)]
        while not self.stopping.wait(1.0):
            for n, (sock, kind, sent) in enumerate(held):
                if sock is None:
                    held[n] = self._open(kind)
                    continue
                try:
                    if kind == 1:
                        sock.send(self.HEADER[sent % len(self.HEADER):][:1])
                    elif kind == 2:
                        sock.send(b"a")
                    if sock.recv(65536) == b"":  # closed by the server (or answered: a timeout reply)
                        raise ConnectionResetError
                    held[n] = (sock, kind, sent + 1)
                except BlockingIOError:
                    held[n] = (sock, kind, sent + 1)
                except OSError:
                    sock.close()
                    self.reopened += 1
                    held[n] = self._open(kind)
        for sock, _, _ in held:
            if sock is not None:
                sock.close()

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 60
        while self.opened < self.count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join(timeout=30)


def normal_client(port: int, questions: list[str], requests: int, timeout: float, tag: str, spread: float = 0.0) -> dict:
    """`requests` questions asked one after the other on new connections (each unique: no cache hit),
    started at even intervals over `spread` seconds (or back to back)."""
    times, statuses = [], []
    begin = time.monotonic()
    for n in range(requests):
        wait = begin + n * spread / requests - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        body = json.dumps({"question": f"{questions[n % len(questions)]} ({tag} {n})"})
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
            conn.request("POST", "/api/ask", body=body, headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            conn.close()
            statuses.append(response.status)
            if response.status == 200:
                times.append((time.perf_counter() - started) * 1000.0)
        except (OSError, http.client.HTTPException):
            statuses.append(0)
    return {"sent": requests, "answered": sum(s == 200 for s in statuses), "failed": sum(s != 200 for s in statuses),
            "p50_ms": round(statistics.median(times), 1) if times else None,
            "p90_ms": round(sorted(times)[int(len(times) * 0.9)], 1) if times else None}


def slow(questions: list[str], count: int = 256, requests: int = 150, rounds: int = 2, direct: bool = False,
         timeout: float = 30.0, hold: float = 30.0, env: dict | None = None, progress=lambda m: None) -> dict:
    """A normal client's latency alone and with `count` slow sockets held open, alternately; each phase
    spreads its questions over `hold` seconds (longer than nginx's 10 s timeouts, so the slow sockets
    are dropped and opened again meanwhile)."""
    phases: dict[str, list[dict]] = {"alone": [], "slow": []}
    extra = {"reopened": 0, "refused": 0}
    with servers(env, not direct, progress) as ports:
        port = ports["direct" if direct else "proxy"]
        normal_client(port, questions, 20, timeout, "warm-up")
        for n in range(rounds):
            progress(f"round {n + 1}/{rounds}: {requests} questions alone")
            phases["alone"].append(normal_client(port, questions, requests, timeout, f"alone {n}", hold))
            progress(f"round {n + 1}/{rounds}: {requests} questions with {count} slow sockets held open")
            with SlowClients(port, count) as attack:
                phases["slow"].append(normal_client(port, questions, requests, timeout, f"slow {n}", hold))
            extra["reopened"] += attack.reopened
            extra["refused"] += attack.refused
    summary = {}
    for phase, results in phases.items():
        p50s = [r["p50_ms"] for r in results if r["p50_ms"] is not None]
        summary[phase] = {"rounds": results, "answered": sum(r["answered"] for r in results),
                          "sent": sum(r["sent"] for r in results),
                          "median_p50_ms": round(statistics.median(p50s), 1) if p50s else None}
    ratio = None
    if summary["alone"]["median_p50_ms"] and summary["slow"]["median_p50_ms"]:
        ratio = round(summary["slow"]["median_p50_ms"] / summary["alone"]["median_p50_ms"], 2)
    return {"target": "gunicorn alone" if direct else "nginx -> gunicorn", "slow_sockets": count,
            "kinds": SlowClients.KINDS, **summary, "slow_over_alone_p50": ratio, **extra, "cores": os.cpu_count()}


def report_slow(result: dict) -> str:
    alone, slow_ = result["alone"], result["slow"]
    return (f"{result['cores']} cores; {result['target']}; {result['slow_sockets']} slow sockets "
            f"({', '.join(result['kinds'])}), reopened {result['reopened']} times after the server closed them\n"
            f"alone:     {alone['answered']}/{alone['sent']} answered, p50 per round "
            f"{[r['p50_ms'] for r in alone['rounds']]} ms (median {alone['median_p50_ms']})\n"
            f"with slow: {slow_['answered']}/{slow_['sent']} answered, p50 per round "
            f"{[r['p50_ms'] for r in slow_['rounds']]} ms (median {slow_['median_p50_ms']})\n"
            f"p50 with slow sockets / alone: {result['slow_over_alone_p50']}")
