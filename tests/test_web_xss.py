"""Hostile questions are shown as text everywhere: answer card, "understood as", follow-ups, clinician page, JSON.

The browser proof that no script runs is tests/browser/test_hardening.py; this checks the markup itself.
"""

import pytest

from tests.xss import MARK, PAYLOADS, markup_problems
from web import create_app


@pytest.fixture(scope="module")
def client(engine):
    return create_app({"ENGINE": engine, "TESTING": True, "RATE_LIMIT": ""}).test_client()


def shown_as_text(response, status: int = 200) -> str:
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert markup_problems(html) == []
    assert MARK in html  # it is on the page, as text
    return html


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("path", ["/", "/kiosk"])
def test_chat_pages_show_the_question_as_text(client, path, payload):
    # The kiosk's form POST redirects to its one-time answer page (post/redirect/get): follow it.
    html = shown_as_text(client.post(path, data={"question": payload}, follow_redirects=True))
    assert html.count('<article id="c1"') == 1
    shown_as_text(client.post(path, data={"question": payload, "card": "3"}, headers={"X-Fragment": "answer"}))
    # As an earlier question it is written into hidden follow-up fields and a second card.
    shown_as_text(client.post(path, data={"question": "side effects?", "history": [payload]}, follow_redirects=True))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_clinician_page_shows_the_text_as_text(client, payload):
    response = client.post("/clinician", data={"text": f"{payload}. Ketamine is proven to cure pain."})
    html = shown_as_text(response)
    assert "Sentence by sentence" in html or "Result</h2>" in html


def test_script_tags_are_escaped_in_the_understood_as_line(client):
    html = client.post("/", data={"question": PAYLOADS[0]}).get_data(as_text=True)
    assert "Understood as: <q>&lt;script&gt;window.__xss=" in html
    assert '<span class="visually-hidden">You asked: </span>&lt;script&gt;' in html


def test_too_long_question_is_shown_back_as_text(client):
    payload = PAYLOADS[0] + "x" * 2100
    html = shown_as_text(client.post("/", data={"question": payload}), 400)
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize("payload", PAYLOADS)
def test_json_never_carries_raw_markup(client, payload):
    for path, body in (("/api/ask", {"question": payload, "history": [payload]}),
                       ("/api/check", {"text": payload}),
                       ("/api/ask", {"question": payload, payload[:30]: 1})):  # unknown field named by the payload
        response = client.post(path, json=body)
        assert response.status_code in (200, 400)
        raw = response.get_data()
        assert b"<" not in raw and b">" not in raw  # written as \u003c and \u003e
        assert response.get_json() is not None  # and still the same JSON


def test_json_answer_html_is_the_same_after_escaping(client, engine):
    data = client.post("/api/ask", json={"question": "Does ketamine help fibro?"}).get_json()
    assert data["answer_html"].startswith("<p>") and data == engine.ask("Does ketamine help fibro?").to_json()
