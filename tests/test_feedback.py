"""The 'Was this helpful?' store (bot/feedback.py) and `python -m bot feedback`."""

import json
import threading

import pytest

from bot.cli import main
from bot.errors import InputError
from bot.feedback import NO_SNIPPET, FeedbackCount, SQLiteFeedbackStore, format_counts, open_feedback_store
from bot.settings import Settings


@pytest.fixture
def store(tmp_path):
    return SQLiteFeedbackStore(tmp_path / "sub" / "feedback.sqlite3")


def test_counts_yes_and_no_per_snippet_and_kind(store):
    store.record(["fibro", "review-pain"], "answer", True)
    store.record(["fibro"], "answer", False)
    store.record(["fibro"], "personal_advice", True)
    store.record([], "no_evidence", False)
    assert set(store.counts()) == {
        FeedbackCount("fibro", "answer", 1, 1), FeedbackCount("review-pain", "answer", 1, 0),
        FeedbackCount("fibro", "personal_advice", 1, 0), FeedbackCount(NO_SNIPPET, "no_evidence", 0, 1)}
    assert store.counts()[0] == FeedbackCount("fibro", "answer", 1, 1)  # most answered first


def test_an_empty_store_has_no_counts_and_makes_no_file(tmp_path):
    store = SQLiteFeedbackStore(tmp_path / "none.sqlite3")
    assert store.counts() == [] and not (tmp_path / "none.sqlite3").exists()


@pytest.mark.parametrize("ids, kind", [
    (["does ketamine help my zebra"], "answer"),  # text that is not an id is never stored
    (["fibro"], "a kind with spaces"),
    (["fibro"], ""),
    ([f"s{i}" for i in range(11)], "answer"),
    (["<script>"], "answer"),
])
def test_only_ids_and_kinds_are_accepted(store, ids, kind):
    with pytest.raises(InputError):
        store.record(ids, kind, True)
    assert store.counts() == []


def test_the_file_holds_counts_only(store):
    store.record(["fibro"], "answer", True)
    data = store.path.read_bytes()
    assert b"fibro" in data and b"answer" in data
    assert store.path.parent.is_dir()


def test_many_threads_count_every_vote(store):
    def vote():
        for _ in range(20):
            store.record(["fibro"], "answer", True)

    threads = [threading.Thread(target=vote) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.counts() == [FeedbackCount("fibro", "answer", 80, 0)]


def test_open_store_takes_the_settings_path_or_redis(tmp_path):
    settings = Settings.from_env({"BOT_FEEDBACK_STORE": str(tmp_path / "env.sqlite3")})
    assert open_feedback_store(settings.feedback_store).path == tmp_path / "env.sqlite3"
    assert open_feedback_store(tmp_path / "given.sqlite3").path == tmp_path / "given.sqlite3"
    # Redis (tests/test_serve_shared_state.py has a real one): named, or BOT_REDIS_URL, the file then
    # taking the votes Redis could not.
    assert open_feedback_store("redis://localhost:6379").url == "redis://localhost:6379"
    shared = open_feedback_store(tmp_path / "given.sqlite3", "redis://cache:6379/0")
    assert shared.url == "redis://cache:6379/0" and shared.fallback.path == tmp_path / "given.sqlite3"


def test_format_counts_is_a_table_for_curators():
    table = format_counts([FeedbackCount("fibro", "answer", 3, 1), FeedbackCount("", "crisis", 0, 2)])
    lines = table.splitlines()
    assert lines[0].split() == ["snippet", "kind", "yes", "no", "helpful"]
    assert lines[1].split() == ["fibro", "answer", "3", "1", "75%"]
    assert lines[2].split() == ["(no", "snippet)", "crisis", "0", "2", "0%"]
    assert format_counts([]) == "no feedback yet"


def test_cli_prints_the_counts(store, capsys):
    store.record(["fibro"], "answer", False)
    assert main(["feedback", "--store", str(store.path)]) == 0
    assert "fibro" in capsys.readouterr().out
    assert main(["feedback", "--store", str(store.path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"snippet_id": "fibro", "kind": "answer", "yes": 0, "no": 1}]


def test_cli_says_when_there_is_nothing_yet(tmp_path, capsys):
    assert main(["feedback", "--store", str(tmp_path / "empty.sqlite3")]) == 0
    assert capsys.readouterr().out.strip() == "no feedback yet"
