"""Request validation: unknown fields, types, lengths, history, Unicode cleaning, hostile JSON."""

import pytest

from tests.test_web_api import error_of
from web import create_app
from web.questions import clean


@pytest.fixture(scope="module")
def client(engine):
    return create_app({"ENGINE": engine, "TESTING": True, "RATE_LIMIT": ""}).test_client()


@pytest.mark.parametrize("path, body, field", [
    ("/api/ask", {"question": "side effects?", "histroy": ["a"]}, "histroy"),
    ("/api/ask", {"question": "side effects?", "mode": "kiosk"}, "mode"),
    ("/api/ask", {"question": "side effects?", "": 1}, "(blank)"),
    ("/api/check", {"text": "Ketamine works.", "question": "x"}, "question"),
])
def test_unknown_fields_are_refused_by_name(client, path, body, field):
    message = error_of(client.post(path, json=body), 400, "bad_field")
    assert message.startswith(f"{field}: is not a known field")


@pytest.mark.parametrize("body, field", [
    ({"question": True}, "question"), ({"question": {"a": 1}}, "question"), ({"question": 1.5}, "question"),
    ({"question": "ok", "history": None}, "history"), ({"question": "ok", "history": {"0": "a"}}, "history"),
    ({"question": "ok", "history": [None]}, "history"), ({"question": "ok", "history": [["a"]]}, "history"),
    ({"question": "\u200b\u200e\x00 \t\n"}, "question"),  # nothing left once cleaned
])
def test_wrong_types_and_blank_after_cleaning_are_400(client, body, field):
    assert error_of(client.post("/api/ask", json=body), 400, "bad_field").startswith(field)


def test_check_text_blank_after_cleaning_is_400(client):
    assert error_of(client.post("/api/check", json={"text": "\u200b\x00\u2063"}), 400, "bad_field").startswith("text")


def test_question_is_cleaned_before_the_engine_sees_it(client, engine):
    sent = "Does \u202eketa\u200bmine\x00 help \u0007ｆｉｂｒｏ?"
    data = client.post("/api/ask", json={"question": sent}).get_json()
    assert data == engine.ask("Does ketamine help fibro?").to_json()
    assert "\u202e" not in data["understood_as"] and "\x00" not in data["understood_as"]


def test_cleaned_question_is_what_the_page_shows(client):
    html = client.post("/", data={"question": "keta\u200bmine \u202eside effects\x07"}).get_data(as_text=True)
    assert "You asked: </span>ketamine side effects</h3>" in html


def test_history_is_cleaned_and_blank_entries_dropped(client, engine):
    body = {"question": "what about the bladder?", "history": ["Does keta\u200bmine help ｆｉｂｒｏ?", "\u200b", " "]}
    data = client.post("/api/ask", json=body).get_json()
    assert data == engine.ask("what about the bladder?", history=["Does ketamine help fibro?"]).to_json()


def test_length_is_counted_after_cleaning(client):
    assert client.post("/api/ask", json={"question": "ketamine " + "\u200b" * 2500}).status_code == 200
    assert client.post("/api/ask", json={"question": "ﷺ" * 200}).status_code == 400  # NFKC: 18 letters each


def test_a_lone_surrogate_is_removed_not_a_500(client):
    raw = b'{"question": "ketamine \\ud800 side effects", "history": ["\\udfff"]}'
    response = client.post("/api/ask", data=raw, content_type="application/json")
    assert response.status_code == 200 and "\ud800" not in response.get_json()["understood_as"]


@pytest.mark.parametrize("raw", [b"[" * 50_00 + b"]" * 50_00, b'{"a":' * 3000 + b"1" + b"}" * 3000,
                                 b'{"question": 1' + b"0" * 5000 + b"}", b'{"question": NaN}'])
def test_hostile_json_is_400_not_500(client, raw):
    response = client.post("/api/ask", data=raw, content_type="application/json")
    assert response.status_code in (400, 413) and response.status_code != 500


def test_form_card_number_with_unicode_digits_is_ignored(client):
    for card in ("²", "١٢", "7\u0663", "-1", "99999"):
        response = client.post("/", data={"question": "side effects?", "card": card}, headers={"X-Fragment": "answer"})
        assert response.status_code == 200 and 'id="c1"' in response.get_data(as_text=True)


def test_clinician_text_keeps_its_lines_but_loses_controls(client):
    html = client.post("/clinician", data={"text": "Ketamine is safe.\r\n\r\n\x00It cures pain\u200b."}).get_data(as_text=True)
    assert ">Ketamine is safe.\nIt cures pain.</textarea>" in html


@pytest.mark.parametrize("raw, expected", [
    ("  a\u00a0b\tc\n", "a b c"), ("ｆｉｂｒｏ", "fibro"), ("e\u0301", "é"), ("a\u200db", "ab"),
    ("\u202eabc\u202c", "abc"), ("x\x00y", "x y"), ("\ud800ok", "ok"), ("\ue000ok", "ok"),
])
def test_clean(raw, expected):
    assert clean(raw) == expected


def test_clean_keeps_single_newlines_when_asked():
    assert clean(" one \r\n\n two \x0b three ", newlines=True) == "one\ntwo three"
