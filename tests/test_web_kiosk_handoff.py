"""The kiosk without JavaScript: post/redirect/get through a one-time, encrypted hand-off, a page that
clears itself, and nothing of a question in a URL, a header or the hand-off file."""

import copy
import re
import time

import pytest

from web import create_app
from web.handoff import HandOff

CANARY = "zebra-canary-7734"


@pytest.fixture
def handoff(tmp_path):
    return HandOff(tmp_path / "run" / "handoff.sqlite3")


def test_handoff_gives_the_questions_back_once(handoff):
    token = handoff.put([f"earlier {CANARY}", f"now {CANARY}"])
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", token)
    assert handoff.take(token) == [f"earlier {CANARY}", f"now {CANARY}"]
    assert handoff.take(token) is None


def test_handoff_file_never_holds_a_question_in_clear(handoff):
    token = handoff.put([CANARY * 3])
    assert CANARY.encode() not in handoff.path.read_bytes()
    handoff.take(token)
    assert CANARY.encode() not in handoff.path.read_bytes()


@pytest.mark.parametrize("token", ["", "short", "x" * 32, "A" * 31 + "=", "../../etc/passwd" + "a" * 16, "é" * 32])
def test_unknown_or_malformed_tokens_find_nothing(handoff, token):
    handoff.put(["something"])
    assert handoff.take(token) is None


def test_handoff_rows_expire(tmp_path):
    handoff = HandOff(tmp_path / "h.sqlite3", ttl=0.05)
    token = handoff.put(["late"])
    time.sleep(0.1)  # the only sleep here: the expiry under test
    assert handoff.take(token) is None


def test_another_process_with_the_same_file_can_take_it(tmp_path):
    """gunicorn may give the redirected GET to another worker: the file, not memory, carries it."""
    path = tmp_path / "shared.sqlite3"
    token = HandOff(path).put(["from worker one"])
    assert HandOff(path).take(token) == ["from worker one"]


def test_a_kiosk_form_post_redirects_to_a_page_shown_once(client):
    response = client.post("/kiosk", data={"question": f"Does ketamine help fibro {CANARY}?",
                                           "history": [f"earlier {CANARY}"]})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert re.fullmatch(r"/kiosk/answer/[A-Za-z0-9_-]{32}", location) and CANARY not in location
    page = client.get(location)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert html.count('<article id="c') == 2 and CANARY in html
    assert html.index('id="c2"') < html.index('id="c1"')  # newest first
    again = client.get(location)
    assert again.status_code == 303 and again.headers["Location"] == "/kiosk"


def test_the_answer_page_clears_itself_without_javascript_only(engine):
    app = create_app({"ENGINE": engine, "RATE_LIMIT": "", "KIOSK_IDLE_SECONDS": 60, "KIOSK_WARNING_SECONDS": 30})
    client = app.test_client()
    html = client.post("/kiosk", data={"question": "Does ketamine help fibro?"}, follow_redirects=True).get_data(as_text=True)
    noscript = re.search(r"<noscript>(.*?)</noscript>", html, re.S).group(1)
    assert '<meta http-equiv="refresh" content="90;url=/kiosk">' in noscript
    assert html.count('http-equiv="refresh"') == 1  # only inside <noscript>: with the script, the warning comes first
    assert "clears itself 90 seconds after" in html
    blank = client.get("/kiosk").get_data(as_text=True)
    assert "http-equiv" not in blank  # a blank kiosk has nothing to clear (and someone may be typing)


def test_the_kiosk_error_page_clears_itself_too(client):
    html = client.post("/kiosk", data={"question": "  "}).get_data(as_text=True)
    assert 'http-equiv="refresh"' in html


def test_fragments_and_the_patient_page_are_not_redirected(client):
    fragment = client.post("/kiosk", data={"question": "Does ketamine help fibro?"}, headers={"X-Fragment": "answer"})
    assert fragment.status_code == 200 and fragment.get_data(as_text=True).strip().startswith("<article")
    assert client.post("/", data={"question": "Does ketamine help fibro?"}).status_code == 200


def test_bot_mode_kiosk_home_page_posts_redirect_too(engine):
    kiosk_engine = copy.copy(engine)
    kiosk_engine.settings = engine.settings.replace(mode="kiosk")
    client = create_app({"ENGINE": kiosk_engine, "RATE_LIMIT": ""}).test_client()
    response = client.post("/", data={"question": "Does ketamine help fibro?"})
    assert response.status_code == 303 and response.headers["Location"].startswith("/kiosk/answer/")


def test_the_handoff_file_holds_no_question_after_kiosk_posts(engine, tmp_path):
    path = tmp_path / "handoff.sqlite3"
    client = create_app({"ENGINE": engine, "RATE_LIMIT": "", "HANDOFF_DB": str(path)}).test_client()
    response = client.post("/kiosk", data={"question": f"{CANARY} side effects"})
    assert CANARY.encode() not in path.read_bytes()
    client.get(response.headers["Location"])
    assert CANARY.encode() not in path.read_bytes()
