"""Index and knowledge faults, and hot reload, through the app (the real-server versions: test_web_live.py).

A broken index never serves silently: the app starts not ready (/readyz 503 saying why, one log
line), and a build is picked up without a restart. What is served is the generation index/current
names, with its own copy of the knowledge: editing knowledge/ without a rebuild changes nothing
served. A rebuild swaps the engine as one reference; a request keeps the engine it started with; a
generation that cannot be loaded is never served (the old one keeps serving, with a warning), and a
damaged one is set aside for the previous generation.
"""

import json
import logging
import os
import shutil
import threading

import pytest

from bot.engine import build_index
from bot.index import generations
from bot.search.retrieve import RetrievalConfig
from bot.settings import Settings
from tests.conftest import FAKE_BAR
from tests.fakes import HashEmbedder
from tests.test_index import writable
from tests.test_web_api import error_of
from web import create_app, state

MARKER = "Reload marker 7734: this sentence exists only in the rebuilt index."


@pytest.fixture
def folders(knowledge_copy, tmp_path):
    index = tmp_path / "index"
    build_index(Settings(knowledge_dir=knowledge_copy, index_dir=index), HashEmbedder())
    return knowledge_copy, index


def make_app(folders):
    knowledge, index = folders
    return create_app({"KNOWLEDGE_DIR": knowledge, "INDEX_DIR": index, "EMBEDDER": HashEmbedder(),
                       "RETRIEVAL": RetrievalConfig(min_similarity=FAKE_BAR), "TESTING": True, "RATE_LIMIT": ""})


def edit(knowledge, marker: str = MARKER) -> None:
    snippet = knowledge / "snippets" / "safety" / "bladder.md"
    front, body = snippet.read_text().rsplit("---\n", 1)
    snippet.write_text(f"{front}---\n{marker} {body}")  # first, so the short answer's lead shows it


def rebuild(folders, marker: str = MARKER, embedder=None) -> dict:
    knowledge, index = folders
    edit(knowledge, marker)
    return build_index(Settings(knowledge_dir=knowledge, index_dir=index), embedder or HashEmbedder())


def rewrite_manifest(gen, **changes) -> None:
    """Replace manifest.json as a new file, with some values changed."""
    manifest = json.loads((gen / "manifest.json").read_text())
    manifest.update(changes)
    tmp = gen / "manifest.json.new"
    tmp.write_text(json.dumps(manifest))
    os.replace(tmp, gen / "manifest.json")


def truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def flip(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def ask(client, question="can ketamine hurt my bladder"):
    return client.post("/api/ask", json={"question": question})


# Each fault is done to the generation `current` names (g), or to the pointers in the index folder (i).
FAULTS = {
    "no index folder": (lambda i, g: shutil.rmtree(i), "no index at"),
    "no current pointer": (lambda i, g: (i / "current").unlink(), "no index at"),
    "pointer to a missing generation": (lambda i, g: generations.point(i, "current", "0" * 16), "no index at"),
    "manifest missing": (lambda i, g: (g / "manifest.json").unlink(), "no index at"),
    "manifest not JSON": (lambda i, g: (g / "manifest.json").write_text("{not json"), "manifest"),
    "manifest of another model": (lambda i, g: rewrite_manifest(g, model_id="other-model@1"), "other-model@1"),
    "manifest of another format": (lambda i, g: rewrite_manifest(g, format=1), "format 1"),
    "manifest with a wrong checksum type": (lambda i, g: rewrite_manifest(g, files={"ids.json": 5}), "corrupt"),
    "manifest with a wrong type": (lambda i, g: rewrite_manifest(g, extras=5), "corrupt"),
    "manifest edited": (lambda i, g: rewrite_manifest(g, snippet_count=99), "does not match its name"),
    "vectors missing": (lambda i, g: (g / "vectors.faiss").unlink(), "vectors.faiss is missing"),
    "vectors truncated": (lambda i, g: truncate(g / "vectors.faiss"), "vectors.faiss is corrupt"),
    "ids corrupt": (lambda i, g: flip(g / "ids.json"), "ids.json is corrupt"),
    "the generation's knowledge edited": (
        lambda i, g: edit(g / "knowledge", "One more sentence."), "changed since the index was built"),
    "the generation's knowledge broken": (
        lambda i, g: (g / "knowledge" / "lexicon.yaml").write_text("a: [unclosed"), "lexicon.yaml"),
}


@pytest.mark.parametrize("fault", FAULTS)
def test_a_broken_index_starts_not_ready_and_says_why(folders, fault, caplog):
    damage, reason = FAULTS[fault]
    damage(folders[1], writable(generations.resolve(folders[1])))
    caplog.set_level(logging.INFO, logger="web")
    client = make_app(folders).test_client()
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503 and reason in ready.get_json()["error"]["message"]
    assert "python -m bot build" in ready.get_json()["error"]["message"]
    error_of(ask(client), 503, "not_ready")
    assert client.post("/", data={"question": "side effects?"}).status_code == 503
    lines = [r for r in caplog.records if r.name == "web.state" and r.levelno == logging.ERROR]
    assert len(lines) == 1 and lines[0].getMessage().startswith("engine not ready:") and reason in lines[0].getMessage()


@pytest.mark.parametrize("edit_kind", ["a snippet edited", "a knowledge file broken"])
def test_knowledge_edited_without_a_rebuild_changes_nothing_served(folders, edit_kind):
    knowledge, index = folders
    client = make_app(folders).test_client()
    before = client.get("/readyz").get_json()
    assert before["knowledge_behind"] is False and before["generation"] == generations.pointer_id(index)
    if edit_kind == "a snippet edited":
        edit(knowledge)
    else:
        (knowledge / "lexicon.yaml").write_text("a: [unclosed")
    for app in (make_app(folders), None):  # a worker that starts now, and the one already serving
        client = app.test_client() if app else client
        app_state = client.application.extensions["bot"]
        app_state._behind = (0.0, "", "")  # no waiting for the few seconds between two hashes
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.get_json()["generation"] == before["generation"]
        assert ready.get_json()["knowledge_version"] == before["knowledge_version"]
        assert ready.get_json()["knowledge_behind"] is True
        assert ask(client).status_code == 200 and MARKER not in ask(client).get_json()["answer"]


def test_a_rebuild_is_served_without_a_restart(folders, caplog):
    caplog.set_level(logging.INFO, logger="web")
    client = make_app(folders).test_client()
    before = client.get("/readyz").get_json()
    assert MARKER not in ask(client).get_json()["answer"]
    manifest = rebuild(folders)
    after = client.get("/readyz").get_json()
    assert after["knowledge_version"] != before["knowledge_version"] and "warning" not in after
    assert after["generation"] == manifest["generation"] != before["generation"]
    assert MARKER in ask(client).get_json()["answer"]
    client.get("/readyz")
    reloaded = f"index reloaded: generation {after['generation']} built at {after['index_built_at']}"
    assert [r.getMessage() for r in caplog.records].count(reloaded) == 1


def test_a_not_ready_server_becomes_ready_after_a_build(knowledge_copy, tmp_path):
    folders = (knowledge_copy, tmp_path / "index")
    client = make_app(folders).test_client()
    assert client.get("/readyz").status_code == 503
    build_index(Settings(knowledge_dir=knowledge_copy, index_dir=folders[1]), HashEmbedder())
    assert client.get("/readyz").status_code == 200
    assert client.post("/api/ask", json={"question": "side effects?"}).status_code == 200


@pytest.mark.parametrize("damage", ["another model", "deleted"])
def test_a_generation_that_cannot_be_loaded_is_never_served(folders, damage, caplog):
    client = make_app(folders).test_client()
    good = client.get("/readyz").get_json()
    if damage == "deleted":
        shutil.rmtree(folders[1])
    else:  # an intact generation, but for a model this server does not run
        rebuild(folders, embedder=HashEmbedder(model_id="other-model@1"))
    caplog.set_level(logging.INFO, logger="web")
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["generation"] == good["generation"]
    assert ready.get_json()["knowledge_version"] == good["knowledge_version"]
    assert "could not be loaded" in ready.get_json()["warning"]
    assert client.post("/api/ask", json={"question": "side effects?"}).status_code == 200
    failures = [r for r in caplog.records if r.levelno == logging.ERROR and "index reload failed" in r.getMessage()]
    assert len(failures) == 1  # once per change on disk, not once per request
    rebuild(folders)
    ready = client.get("/readyz").get_json()
    assert "warning" not in ready and ready["knowledge_version"] != good["knowledge_version"]


def test_a_damaged_new_generation_is_set_aside_and_the_served_one_kept(folders, caplog):
    client = make_app(folders).test_client()
    good = client.get("/readyz").get_json()
    new = rebuild(folders)["generation"]  # published intact, then damaged before this worker loads it
    truncate(writable(folders[1] / "generations" / new) / "vectors.faiss")
    caplog.set_level(logging.INFO, logger="web")
    ready = client.get("/readyz").get_json()
    assert ready["generation"] == good["generation"] == generations.pointer_id(folders[1])  # rolled back
    assert "set aside as damaged" in ready["warning"] and "vectors.faiss is corrupt" in ready["warning"]
    assert MARKER not in ask(client).get_json()["answer"]
    assert any("is damaged" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)


def test_a_worker_that_starts_on_a_damaged_generation_serves_the_one_its_siblings_serve(folders, caplog):
    first = generations.pointer_id(folders[1])
    sibling = make_app(folders).test_client()  # a worker loaded before the damage
    second = rebuild(folders)["generation"]
    assert sibling.get("/readyz").get_json()["generation"] == second
    flip(writable(folders[1] / "generations" / second) / "ids.json")  # damaged on disk after it loaded
    caplog.set_level(logging.INFO, logger="web")
    replaced = make_app(folders).test_client()  # a worker started (or restarted) now
    ready = replaced.get("/readyz").get_json()
    assert ready["generation"] == first and "ids.json is corrupt" in ready["warning"]
    assert generations.pointer_id(folders[1]) == first
    assert sibling.get("/readyz").get_json()["generation"] == first  # the sibling follows the pointer back
    assert ask(replaced).status_code == ask(sibling).status_code == 200


def test_no_roll_back_to_a_previous_generation_this_server_cannot_load(knowledge_copy, tmp_path):
    folders = (knowledge_copy, tmp_path / "index")
    build_index(Settings(knowledge_dir=knowledge_copy, index_dir=folders[1]), HashEmbedder(model_id="other-model@1"))
    current = rebuild(folders)["generation"]  # intact previous one, but for a model this server does not run
    flip(writable(folders[1] / "generations" / current) / "ids.json")
    ready = make_app(folders).test_client().get("/readyz")
    assert ready.status_code == 503 and "ids.json is corrupt" in ready.get_json()["error"]["message"]
    assert generations.pointer_id(folders[1]) == current  # left alone: a rebuild is the fix


def test_a_request_keeps_the_engine_it_started_with(folders):
    app = make_app(folders)
    with app.test_request_context("/api/ask", method="POST"):
        first = state.current()
        rebuild(folders)
        assert state.current() is first  # never half old, half new within one request
    with app.test_request_context("/api/ask", method="POST"):
        assert state.current() is not first and state.current().engine.index is not first.engine.index


def test_questions_during_rebuilds_never_fail(folders):
    app = make_app(folders)
    failures, answered, stop = [], [0], threading.Event()

    def asker():
        client = app.test_client()
        while not stop.is_set():
            response = client.post("/api/ask", json={"question": "can ketamine hurt my bladder"})
            if response.status_code != 200 or response.get_json()["kind"] != "answer":
                failures.append(response.status_code)
            answered[0] += 1

    threads = [threading.Thread(target=asker) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        for n in range(5):
            rebuild(folders, marker=f"Marker {n}.")
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    assert failures == [] and answered[0] > 20
    assert "Marker 4." in app.test_client().post("/api/ask", json={"question": "can ketamine hurt my bladder"}).get_json()["answer"]


class LeakyEngine:
    """Fails inside ask with a message that quotes the question, as a careless library might."""

    def __init__(self, settings):
        self.settings = settings

    def ask(self, question, **kwargs):
        raise KeyError(f"no entry for {question!r}")


def test_an_unexpected_error_is_logged_without_its_message(engine, caplog):
    caplog.set_level(logging.DEBUG)
    client = create_app({"ENGINE": LeakyEngine(engine.settings), "RATE_LIMIT": ""}).test_client()
    error_of(client.post("/api/ask", json={"question": "zebra-canary-7734 ketamine"}), 500, "internal")
    assert "zebra-canary-7734" not in caplog.text
    assert "unexpected KeyError on POST /api/ask" in caplog.text and "in ask" in caplog.text  # frames stay


def test_event_lines_carry_kind_status_latency_and_counts_only(engine, caplog):
    caplog.set_level(logging.INFO, logger="web")
    client = create_app({"ENGINE": engine, "RATE_LIMIT": ""}).test_client()
    client.post("/api/ask", json={"question": "zebra-canary-7734 does ketamine help fibro?", "history": ["a"]})
    client.post("/api/check", json={"text": "zebra-canary-7734 ketamine is proven to cure pain."})
    client.post("/kiosk", data={"question": "zebra-canary-7734 side effects"}, follow_redirects=True)
    client.post("/api/ask", json={"question": "zebra-canary-7734" * 200})
    lines = [r.getMessage() for r in caplog.records if r.name == "web.events"]
    assert lines[0].startswith("api.ask status=200 kind=answer ms=") and lines[0].endswith("citations=1 history=1")
    assert lines[1].startswith("api.check status=200 kind=overstated ms=")
    assert lines[2].startswith("pages.kiosk status=303 kind=handoff ms=") and lines[2].endswith("history=0")
    assert lines[3].startswith("pages.kiosk_answer status=200 kind=answer ms=")  # the GET it redirects to
    assert lines[4].startswith("api.ask status=400 kind=bad_field ms=")
    assert "zebra-canary-7734" not in caplog.text
