"""Faults against the real server: gunicorn on a loopback port, the real model, the fixture knowledge.

Each test starts its own server (tests/live.py), bounded in time, and stops it. No fixed sleeps:
every wait polls for what it waits for, with a deadline.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.index import generations
from tests.conftest import FIXTURE_KNOWLEDGE
from tests.live import HOST, ROOT, BackgroundLoad, gunicorn, wait_for
from tests.test_index import writable

pytestmark = pytest.mark.live
CANARY = "zebra-canary-" + "7734"  # the question text that must never reach a log or a file
QUESTIONS = ["Does ketamine help fibro?", "can ketamine hurt my bladder", "what are the side effects",
             "is magnesium safe", "I want to end my life", "what is the capital of France"]
MARKER = "Reload marker 7734 from the rebuilt index."


@pytest.fixture
def folders(tmp_path):
    knowledge, index = tmp_path / "knowledge", tmp_path / "index"
    shutil.copytree(FIXTURE_KNOWLEDGE, knowledge)
    build(knowledge, index)
    return knowledge, index


def build(knowledge: Path, index: Path) -> None:
    subprocess.run([sys.executable, "-m", "bot", "build", "--knowledge", str(knowledge), "--index", str(index)],
                   cwd=ROOT, check=True, capture_output=True, timeout=120, env={**os.environ, "HF_HUB_OFFLINE": "1"})


def mark_a_snippet(knowledge: Path) -> None:
    """Edit a snippet so that answers built from it say MARKER."""
    snippet = knowledge / "snippets" / "safety" / "bladder.md"
    snippet.write_text(snippet.read_text().rstrip() + f" {MARKER}\n")


def rebuilt_with_an_edit(knowledge: Path, index: Path) -> tuple[str, str]:
    """The generation current now, and the one a rebuild after an edit makes current."""
    first = generations.pointer_id(index)
    mark_a_snippet(knowledge)
    build(knowledge, index)
    return first, generations.pointer_id(index)


def test_a_worker_killed_mid_request_is_replaced_and_the_next_request_succeeds(folders, tmp_path):
    with gunicorn(tmp_path / "srv", *folders, workers=1, threads=2) as server:
        assert server.ask("Does ketamine help fibro?").status == 200
        [worker] = server.workers()
        # A request the worker is in the middle of: headers sent, half the body still to come.
        stalled = socket.create_connection((HOST, server.port), timeout=10)
        stalled.sendall(b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        b"Content-Length: 60\r\n\r\n{\"question\": \"does ket")
        client_port = stalled.getsockname()[1]
        wait_for(lambda: holds_connection(worker, client_port), what="the worker to accept the stalled request")
        os.kill(worker, signal.SIGKILL)
        started = time.monotonic()
        reply = server.ask("Does ketamine help fibro?")  # sent at once: it waits for the replacement
        recovered = time.monotonic() - started
        assert reply.status == 200 and reply.json()["kind"] == "answer"
        try:
            lost = stalled.recv(100)
        except ConnectionResetError:
            lost = b""
        stalled.close()
        assert lost == b""  # the request the killed worker held got no answer: it died with it
        [replacement] = server.wait_for_workers(1, exclude={worker})
        assert replacement != worker and server.request("GET", "/readyz").status == 200
        assert f"Worker (pid:{worker}) was sent SIGKILL" in server.log()
        print(f"\nworker {worker} killed mid-request; replaced by {replacement}; next request answered in {recovered:.2f} s")


def holds_connection(pid: int, client_port: int) -> bool:
    """Whether process `pid` holds the server side of the TCP connection from our `client_port`:
    its socket inode, found in /proc/net/tcp by the peer's port, among the process's open files."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if int(fields[2].rsplit(":", 1)[1], 16) == client_port:
                    inodes.add(f"socket:[{fields[9]}]")
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            if os.readlink(fd) in inodes:
                return True
    return False


class Load(BackgroundLoad):
    """Questions and checks from a few threads, nonstop, counting every failure."""

    def __init__(self, server, threads: int = 4):
        super().__init__(threads)
        self.server = server

    def request(self, i: int):
        if i % 5 == 0:
            return self.server.request("POST", "/api/check", {"text": "Ketamine is proven to cure pain."})
        return self.server.ask(QUESTIONS[i % len(QUESTIONS)])


def test_a_rebuild_and_a_reload_under_load_drop_no_request(folders, tmp_path):
    knowledge, index = folders
    with gunicorn(tmp_path / "srv", knowledge, index, workers=2, threads=4) as server:
        before = server.request("GET", "/readyz").json()
        with Load(server) as load:
            wait_for(lambda: load.done >= 20, what="20 requests before the rebuild")
            mark_a_snippet(knowledge)
            build(knowledge, index)  # python -m bot build on the index being served

            def everyone_has_the_new_index():
                return all(server.request("GET", "/readyz").json()["knowledge_version"] != before["knowledge_version"]
                           for _ in range(8))

            wait_for(everyone_has_the_new_index)
            answer = server.ask("can ketamine hurt my bladder").json()["answer"]
            after_rebuild = load.done
            old = set(server.workers())
            reloaded_by = reload_command(server, knowledge, index)  # this server's folders, not the project's
            assert reloaded_by.returncode == 0, reloaded_by.stderr
            server.wait_for_workers(2, exclude=old)
            reloaded = load.done
            wait_for(lambda: load.done >= reloaded + 40, what="40 requests of the new workers")
        assert load.failures == [], load.failures[:5]
        assert MARKER in answer
        assert server.request("GET", "/readyz").json()["knowledge_version"] != before["knowledge_version"]
        print(f"\n{load.done} requests during a rebuild ({after_rebuild}) and a SIGHUP reload, 0 failed")


def test_no_question_or_clinician_text_reaches_a_log_a_file_or_a_cookie(folders, tmp_path):
    started = time.time()
    workdir = tmp_path / "srv"
    state = {"BOT_HANDOFF_DB": workdir / "run" / "kiosk-handoff.sqlite3",
             "BOT_FEEDBACK_STORE": workdir / "data" / "feedback.sqlite3"}
    with gunicorn(workdir, *folders, workers=1, rate_limit="14 per minute", **state) as server:
        json_type = {"Content-Type": "application/json"}
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        kiosk = server.request("POST", "/kiosk", f"question={CANARY}+fibro&history={CANARY}".encode(), form)
        shown = server.request("GET", kiosk.headers["Location"])  # the kiosk's post/redirect/get
        vote = server.request("POST", "/feedback", b"snippets=fibro&kind=answer&helpful=yes", form)
        assert (kiosk.status, shown.status, vote.status) == (303, 200, 303) and CANARY.encode() in shown.body
        assert CANARY not in kiosk.headers["Location"]
        sent = [
            server.ask(f"Does ketamine help fibro {CANARY}?", history=[f"earlier {CANARY}"]),
            server.request("POST", "/api/check", {"text": f"Ketamine is proven to cure {CANARY} pain."}),
            server.ask(f"{CANARY} " * 300),  # 400: too long
            server.request("POST", "/api/ask", f'{{"question": "{CANARY}", '.encode(), json_type),  # 400: bad JSON
            server.request("POST", "/api/ask", {"question": "ok", CANARY: 1}),  # 400: unknown field
            server.request("POST", "/api/ask", f"question={CANARY}".encode(), form),  # 415
            server.request("POST", "/", f"question=side+effects+{CANARY}&history={CANARY}".encode(), form),
            server.request("POST", "/kiosk", f"question={CANARY}+fibro".encode(), {**form, "X-Fragment": "answer"}),
            server.request("POST", "/clinician", f"text=Ketamine+cures+{CANARY}.".encode(), form),
            server.request("GET", f"/ketamine-dose-{CANARY}?q={CANARY}"),  # typed in the address bar: 404
            *[server.ask(f"{CANARY} side effects") for _ in range(5)],  # the last ones are 429s
        ]
    statuses = [r.status for r in sent]
    assert statuses[:10] == [200, 200, 400, 400, 400, 415, 200, 200, 200, 404] and 429 in statuses
    assert not any("Set-Cookie" in r.headers for r in [*sent, kiosk, shown, vote])
    assert all(path.exists() for path in state.values())  # both stores were written to, and are searched below
    log = (workdir / "server.log").read_text()
    assert re.search(r"web\.events: api\.ask status=200 kind=answer ms=[\d.]+ citations=\d+ history=1", log)
    assert "api.ask status=429 kind=rate_limited" in log and '"GET (no such page)" 404' in log
    leaks = [path for path in files_under(tmp_path) if CANARY.encode() in path.read_bytes()]
    leaks += [path for path in files_changed_since(ROOT, started) if CANARY.encode() in path.read_bytes()]
    assert leaks == []


def test_the_kiosk_hand_off_reaches_whichever_worker_gets_the_redirect(folders, tmp_path):
    """Two workers, a new connection per request: the GET after the POST may meet either worker."""
    workdir = tmp_path / "srv"
    with gunicorn(workdir, *folders, workers=2, BOT_HANDOFF_DB=workdir / "run" / "handoff.sqlite3") as server:
        server.wait_for_workers(2)
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        for i in range(12):
            posted = server.request("POST", "/kiosk", f"question=side+effects+{i}".encode(), form)
            assert posted.status == 303
            shown = server.request("GET", posted.headers["Location"])
            assert shown.status == 200 and f"side effects {i}".encode() in shown.body
            again = server.request("GET", posted.headers["Location"])
            assert again.status == 303 and again.headers["Location"] == "/kiosk"  # once only, on any worker
        posts = set(re.findall(r"\[(\d+)\] \[INFO\] web\.events: pages\.kiosk status=303", server.log()))
        gets = set(re.findall(r"\[(\d+)\] \[INFO\] web\.events: pages\.kiosk_answer status=200", server.log()))
        print(f"\nkiosk posts answered by workers {sorted(posts)}, answer pages by {sorted(gets)}")


def files_under(folder: Path):
    return [p for p in folder.rglob("*") if p.is_file()]


def files_changed_since(root: Path, since: float):
    """Files in the project changed during the test (the server's cwd), outside tools' own folders."""
    skip = {".git", ".venv", ".hypothesis", ".pytest_cache", ".ruff_cache", "__pycache__", "test-output"}
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in skip]
        for name in filenames:
            path = Path(dirpath) / name
            try:
                if path.stat().st_mtime >= since:
                    found.append(path)
            except OSError:
                pass
    return found


def test_a_server_without_an_index_says_why_then_serves_the_build(tmp_path):
    knowledge, index = tmp_path / "knowledge", tmp_path / "index"
    shutil.copytree(FIXTURE_KNOWLEDGE, knowledge)
    with gunicorn(tmp_path / "srv", knowledge, index, workers=2) as server:
        ready = server.request("GET", "/readyz")
        assert ready.status == 503 and "no index at" in ready.json()["error"]["message"]
        assert server.ask("side effects?").status == 503
        wait_for(lambda: server.log().count("engine not ready: no index at") == 2)  # one clear line per worker
        build(knowledge, index)
        wait_for(lambda: all(server.request("GET", "/readyz").status == 200 for _ in range(6)))
        assert server.ask("what are the side effects").status == 200


def test_a_short_soak_at_a_steady_rate_has_no_errors_and_flat_memory(folders, tmp_path):
    """`make soak` runs this for 5 minutes on the real knowledge; here 10 s on the fixture."""
    from tests.soak import run

    result = run(10, 30, workers=2, knowledge=folders[0], index=folders[1], workdir=tmp_path / "srv", say=lambda m: None)
    print(f"\nshort soak: {result['requests']} requests, {result['errors']} errors, latency {result['latency_ms']}, "
          f"worker RSS growth {result['worker_rss_growth_percent']} %")
    assert result["errors"] == 0, result["error_examples"]
    assert result["requests"] == 300 and not result["workers_replaced"]
    assert all(growth <= 10.0 for growth in result["worker_rss_growth_percent"].values())


def readyz_of_every_worker(server, workers: list[int], timeout: float = 30) -> list[tuple[int, dict]]:
    """/readyz until each worker has answered it three times (by the pid in the access log); every reply."""
    replies, seen = [], {}
    before = server.log().count('"GET /readyz" ')

    def every_worker_answered() -> bool:
        reply = server.request("GET", "/readyz")
        replies.append((reply.status, reply.json()))
        lines = [line for line in server.log().splitlines() if '"GET /readyz" ' in line][before:]
        for pid in workers:
            seen[pid] = sum(line.startswith(f"[{pid}] ") for line in lines)
        return all(count >= 3 for count in seen.values())

    wait_for(every_worker_answered, timeout, every=0.01, what=f"/readyz answered by each of {workers}")
    return replies


def test_a_worker_restarted_after_knowledge_edits_serves_what_its_sibling_serves(folders, tmp_path):
    knowledge, index = folders
    with gunicorn(tmp_path / "srv", knowledge, index, workers=2) as server:
        before = server.request("GET", "/readyz").json()
        mark_a_snippet(knowledge)  # edited, not rebuilt
        killed, sibling = server.workers()
        os.kill(killed, signal.SIGKILL)
        [replacement] = [p for p in server.wait_for_workers(2, exclude={killed}) if p != sibling]
        replies = readyz_of_every_worker(server, [replacement, sibling])
        assert {status for status, _ in replies} == {200}
        assert {body["generation"] for _, body in replies} == {before["generation"]}
        assert {body["knowledge_version"] for _, body in replies} == {before["knowledge_version"]}
        wait_for(lambda: all(server.request("GET", "/readyz").json()["knowledge_behind"] for _ in range(6)),
                 what="/readyz to say the knowledge is behind the build")
        assert all(MARKER not in server.ask("can ketamine hurt my bladder").json()["answer"] for _ in range(6))
        print(f"\nworker {killed} replaced by {replacement} after a knowledge edit: {len(replies)} /readyz, all 200, "
              f"one generation {before['generation']}")


def test_a_worker_restarted_on_a_damaged_index_serves_the_same_intact_generation_as_its_sibling(folders, tmp_path):
    knowledge, index = folders
    first, second = rebuilt_with_an_edit(knowledge, index)
    with gunicorn(tmp_path / "srv", knowledge, index, workers=2) as server:
        assert server.request("GET", "/readyz").json()["generation"] == second
        damaged = writable(index / "generations" / second) / "vectors.faiss"
        damaged.write_bytes(damaged.read_bytes()[:64])  # damaged on disk after both workers loaded it
        killed, sibling = server.workers()
        os.kill(killed, signal.SIGKILL)
        [replacement] = [p for p in server.wait_for_workers(2, exclude={killed}) if p != sibling]
        replies = readyz_of_every_worker(server, [replacement, sibling])
        assert {status for status, _ in replies} == {200}  # never "not ready", before or after
        assert generations.pointer_id(index) == first  # rolled back on disk
        # the sibling follows the pointer back on its next request that sees it moved
        wait_for(lambda: all(server.request("GET", "/readyz").json()["generation"] == first for _ in range(6)),
                 what="every worker to serve the intact generation")
        assert "set aside as damaged" in server.request("GET", "/readyz").json()["warning"]
        assert "is damaged (index file" in server.log() and "serving generation " + first in server.log()


def reload_command(server, knowledge: Path, index: Path) -> subprocess.CompletedProcess:
    """`python -m bot reload` as an operator runs it, for this server's pid file and folders."""
    return subprocess.run([sys.executable, "-m", "bot", "reload", "--knowledge", str(knowledge), "--index", str(index)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "HF_HUB_OFFLINE": "1", "BOT_PIDFILE": str(server.pidfile)})


def test_reload_refuses_a_broken_index_and_the_server_keeps_serving(folders, tmp_path):
    knowledge, index = folders
    with gunicorn(tmp_path / "srv", knowledge, index, workers=2) as server:
        workers = server.workers()
        damaged = writable(generations.resolve(index)) / "ids.json"
        damaged.write_text("[]")
        refused = reload_command(server, knowledge, index)
        assert refused.returncode == 1 and refused.stderr.count("\n") == 1
        assert refused.stderr.startswith("error: not reloading") and "ids.json is corrupt" in refused.stderr
        assert server.workers() == workers  # no SIGHUP: the same workers serve on
        assert all(server.ask("does ketamine help fibro").status == 200 for _ in range(6))
        build(knowledge, index)  # fixed by a rebuild: now the reload goes through
        accepted = reload_command(server, knowledge, index)
        assert accepted.returncode == 0 and generations.pointer_id(index) in accepted.stdout
        server.wait_for_workers(2, exclude=set(workers))
        assert server.request("GET", "/readyz").json()["generation"] == generations.pointer_id(index)


def test_a_sighup_sent_directly_never_swaps_to_a_broken_index(folders, tmp_path):
    knowledge, index = folders
    first, second = rebuilt_with_an_edit(knowledge, index)
    with gunicorn(tmp_path / "srv", knowledge, index, workers=2) as server:
        old = server.workers()
        (writable(index / "generations" / second) / "manifest.json").write_text("{}")  # broken on disk
        os.kill(server.pid, signal.SIGHUP)  # `kill -HUP`, bypassing python -m bot reload's check
        new = server.wait_for_workers(2, exclude=set(old))
        replies = readyz_of_every_worker(server, new)
        assert {status for status, _ in replies} == {200}
        assert {body["generation"] for _, body in replies[-6:]} == {first}
        assert MARKER not in server.ask("can ketamine hurt my bladder").json()["answer"]
