"""Shared state through a real Redis (Debian's redis-server on a free loopback port): what several
machines behind one address must agree on. Two apps with separate local files stand for two machines.

- "Was this helpful?" counts: one count across machines; a vote Redis cannot take goes to the local
  file instead of failing.
- The kiosk's no-JavaScript hand-off: the GET may land on another machine than the POST; still once
  only, still ciphertext only.
"""

from __future__ import annotations

import re

import pytest

from bot.feedback import FeedbackCount, SQLiteFeedbackStore, open_feedback_store
from tests.live import redis
from web import create_app

pytestmark = pytest.mark.live
CANARY = "zebra-canary-" + "7734"


def machine(engine, tmp_path, name: str, url: str):
    folder = tmp_path / name
    return create_app({"ENGINE": engine, "TESTING": True, "RATE_LIMIT": "", "REDIS_URL": url,
                       "FEEDBACK_STORE": str(folder / "feedback.sqlite3"),
                       "HANDOFF_DB": str(folder / "handoff.sqlite3")}).test_client()


def vote(client, helpful: str = "yes"):
    return client.post("/feedback", data={"snippets": "fibro", "kind": "answer", "helpful": helpful})


def test_feedback_counts_are_one_count_across_machines_and_survive_redis_going_away(engine, tmp_path):
    with redis(tmp_path) as url:
        a, b = machine(engine, tmp_path, "a", url), machine(engine, tmp_path, "b", url)
        assert [vote(a).status_code, vote(b).status_code, vote(b, "no").status_code] == [303, 303, 303]
        assert open_feedback_store(tmp_path / "reader.sqlite3", url).counts() == [FeedbackCount("fibro", "answer", 2, 1)]
        assert not (tmp_path / "a" / "feedback.sqlite3").exists()  # nothing went to the local files
    assert vote(a).status_code == 303  # Redis is gone: counted in a's own file, no error
    assert SQLiteFeedbackStore(tmp_path / "a" / "feedback.sqlite3").counts() == [FeedbackCount("fibro", "answer", 1, 0)]


def test_the_kiosk_hand_off_works_across_machines_once_and_holds_only_ciphertext(engine, tmp_path):
    with redis(tmp_path) as url:
        a, b = machine(engine, tmp_path, "a", url), machine(engine, tmp_path, "b", url)
        posted = a.post("/kiosk", data={"question": f"Does ketamine help fibro {CANARY}?"})
        assert posted.status_code == 303
        location = posted.headers["Location"]
        assert re.fullmatch(r"/kiosk/answer/[A-Za-z0-9_-]{32}", location)
        page = b.get(location)  # the redirect followed to the other machine
        assert page.status_code == 200 and CANARY in page.get_data(as_text=True)
        assert b.get(location).status_code == 303 and a.get(location).status_code == 303  # once only
        # Another one waits in Redis: only a hash of the token as its key, only ciphertext as its value.
        a.post("/kiosk", data={"question": f"side effects {CANARY}"})
        import redis as client

        store = client.Redis.from_url(url)
        keys = store.keys("bot:handoff:*")
        assert len(keys) == 1 and 0 < store.pttl(keys[0]) <= 60_000
        assert CANARY.encode() not in store.get(keys[0])
        assert not any(CANARY.encode() in f.read_bytes() for f in tmp_path.rglob("*") if f.is_file())
    # Redis is gone: the hand-off falls back to this machine's own file, and still works here.
    posted = a.post("/kiosk", data={"question": "Does ketamine help fibro?"})
    assert posted.status_code == 303 and a.get(posted.headers["Location"]).status_code == 200
