"""Serving for real: gunicorn behind nginx (deploy/nginx.conf), both started on free loopback ports.

Bodies that gunicorn cannot parse are a 400 and bodies over the limit a 413 on every path, never a
500; slow clients are nginx's problem, not gunicorn's threads'; idle keep-alive connections are kept
longer than clients keep them; no version in the Server header. Each test is bounded (no timing
asserts: the figures are in docs/deploy.md, measured by `python -m bot.measure.loadtest --slow 256`).
"""

from __future__ import annotations

import contextlib
import json
import socket
import time

import pytest

from bot.measure.slow_clients import SlowClients
from tests.live import HOST, ROOT, gunicorn, nginx, wait_for
from tests.test_web_live import folders  # noqa: F401 - the fixture: fixture knowledge, a real build

pytestmark = pytest.mark.live
PAGES = ("/", "/kiosk", "/clinician")


def raw(port: int, data: bytes, shut: bool = False, timeout: float = 20) -> tuple[int, str, bytes]:
    """Send bytes on a new connection; (status, content type, body) of the answer (0 when none)."""
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        sock.sendall(data)
        if shut:
            sock.shutdown(socket.SHUT_WR)  # the client stops sending: a body cut short
        reply = b""
        while True:
            try:
                part = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not part:
                break
            reply += part
    head, _, body = reply.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines[0].startswith("HTTP/") else 0
    ctype = next((line.split(":", 1)[1].strip() for line in lines[1:] if line.lower().startswith("content-type:")), "")
    return status, ctype, body


def post(path: str, body: bytes, ctype: str = "application/json", chunked: bool = False, length: int | None = None) -> bytes:
    head = f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: {ctype}\r\nConnection: close\r\n"
    if chunked:
        return head.encode() + b"Transfer-Encoding: chunked\r\n\r\n" + body
    return head.encode() + f"Content-Length: {len(body) if length is None else length}\r\n\r\n".encode() + body


def chunks(body: bytes, size: int = 4000) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + size]), body[i:i + size]) for i in range(0, len(body), size)) + b"0\r\n\r\n"


BAD_CHUNKS = [b"zz\r\n{}\r\n0\r\n\r\n", b"5\r\n{}\r\n0\r\n\r\n", b"-1\r\nx\r\n0\r\n\r\n", b"4\r\n{\"q\"XX0\r\n\r\n"]


def test_malformed_and_oversized_bodies_are_400_and_413_never_500(folders, tmp_path):  # noqa: F811
    big = json.dumps({"question": "a" * 30_000}).encode()
    good = json.dumps({"question": "does ketamine help fibro"}).encode()
    with gunicorn(tmp_path / "srv", *folders, workers=1, threads=4) as server, \
            nginx(tmp_path, [server.port]) as proxy:
        for port in (server.port, proxy.port):
            for path in ("/api/ask", *PAGES):
                for bad in BAD_CHUNKS:
                    status, ctype, body = raw(port, post(path, bad, chunked=True))
                    assert status == 400 and ctype.startswith("application/json"), (port, path, bad, status)
                    assert json.loads(body)["error"]["code"] == "bad_request"
                status, ctype, body = raw(port, post(path, chunks(big), chunked=True))
                assert status == 413 and json.loads(body)["error"]["code"] == "too_large", (port, path)
                status, _, body = raw(port, post(path, big))
                assert status == 413 and json.loads(body)["error"]["code"] == "too_large", (port, path)
                status, _, body = raw(port, post(path, b'{"question": "x', length=200), shut=True)
                if port == server.port:
                    assert status == 400 and json.loads(body)["error"]["code"] == "bad_request", path
                else:  # nginx takes a client that stops sending for gone, and answers no one
                    assert status == 0, path
            status, _, body = raw(port, post("/api/ask", chunks(good, 7), chunked=True))
            assert status == 200 and json.loads(body)["kind"] == "answer"
        # A page's own form gets the page, not JSON.
        status, ctype, body = raw(server.port, post("/", BAD_CHUNKS[0], "application/x-www-form-urlencoded", chunked=True))
        assert status == 400 and ctype.startswith("text/html") and b"<!doctype html>" in body
    log = server.log()
    assert '" 500 ' not in log and "Traceback" not in log and "server error" not in log


def test_slow_clients_through_the_proxy_leave_every_normal_request_answered(folders, tmp_path):  # noqa: F811
    with gunicorn(tmp_path / "srv", *folders, workers=2, threads=4) as server, \
            nginx(tmp_path, [server.port]) as proxy:
        with SlowClients(proxy.port, 256) as slow:
            statuses = [proxy.ask(f"does ketamine help fibro {n}", timeout=20).status for n in range(40)]
            # nginx drops the stalled ones (10 s for a whole header), which are then opened again.
            wait_for(lambda: slow.reopened >= 10, timeout=40, every=0.5, what="nginx closing stalled connections")
            statuses += [proxy.ask(f"is magnesium safe {n}", timeout=20).status for n in range(20)]
        assert statuses == [200] * 60


def idle_then_reuse(port: int, idle: float) -> tuple[int, int]:
    """Two requests on one keep-alive connection with `idle` seconds between them; during the wait
    the connection is watched (polled) and must stay open."""
    request = f"GET /healthz HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode()
    statuses = []
    with socket.create_connection((HOST, port), timeout=10) as sock:
        for n in range(2):
            sock.sendall(request)
            reply = b""
            while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
                part = sock.recv(65536)
                assert part, "the server closed the connection"
                reply += part
            statuses.append(int(reply.split()[1]))
            if n == 0:
                until = time.monotonic() + idle
                sock.setblocking(False)
                while time.monotonic() < until:
                    with contextlib.suppress(BlockingIOError):
                        assert sock.recv(1, socket.MSG_PEEK) != b"", "the server closed the idle connection"
                    time.sleep(0.1)
                sock.setblocking(True)
    return statuses[0], statuses[1]


def test_idle_keep_alive_connections_outlast_the_old_two_seconds(folders, tmp_path):  # noqa: F811
    with gunicorn(tmp_path / "srv", *folders, workers=1) as server, nginx(tmp_path, [server.port]) as proxy:
        assert idle_then_reuse(proxy.port, 3.0) == (200, 200)
        assert idle_then_reuse(server.port, 3.0) == (200, 200)  # gunicorn keeps them 75 s (BOT_KEEPALIVE)


def test_the_proxy_names_no_server_software_version(folders, tmp_path):  # noqa: F811
    with gunicorn(tmp_path / "srv", *folders, workers=1) as server, nginx(tmp_path, [server.port]) as proxy:
        reply = proxy.request("GET", "/readyz")
        assert reply.status == 200 and reply.headers["Server"] == "nginx"
        assert reply.headers["Content-Security-Policy"].startswith("default-src 'none'")  # the app's headers pass
        missing = proxy.request("GET", "/nothing-here")
        assert missing.status == 404 and "gunicorn" not in str(missing.headers).lower()


def test_every_kind_of_response_arrives_whole_from_gunicorn_and_through_the_proxy(folders, tmp_path):  # noqa: F811
    """gunicorn sends each response's head with its body (web/gunicorn.conf.py): files, pages, JSON,
    HEAD, errors and empty bodies all arrive intact, with their lengths, on one kept-alive connection."""
    import http.client

    static = "/static/css/site.css"
    with gunicorn(tmp_path / "srv", *folders, workers=1) as server, nginx(tmp_path, [server.port]) as proxy:
        for port in (server.port, proxy.port):
            conn = http.client.HTTPConnection(HOST, port, timeout=20)
            for method, path, body, status in [("GET", static, None, 200), ("GET", "/", None, 200),
                                               ("HEAD", "/", None, 200), ("GET", "/readyz", None, 200),
                                               ("POST", "/api/ask", b'{"question": "fibro?"}', 200),
                                               ("GET", "/nothing", None, 404), ("GET", "/api/ask", None, 405),
                                               ("GET", static, None, 200)]:
                conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
                reply = conn.getresponse()
                data = reply.read()
                assert reply.status == status, (port, method, path)
                if method != "HEAD":
                    assert len(data) == int(reply.headers["Content-Length"]) > 0, (port, method, path)
            conn.close()
        assert server.request("GET", static).body == (ROOT / "web" / "static" / "css" / "site.css").read_bytes()
