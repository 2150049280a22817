"""The JSON API of DESIGN.md section 4, every status code, through Flask's test client."""

import json

import pytest

from web import create_app

CONTRACT = {"kind", "answer", "answer_html", "certainty", "caveats", "citations", "snippets",
            "suggestions", "understood_as"}
CITATION = {"n", "source_id", "title", "url", "doi", "year", "design"}


def error_of(response, status: int, code: str) -> str:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    assert "Traceback" not in response.get_data(as_text=True)
    return body["error"]["message"]


def test_ask_returns_exactly_the_contract(client):
    response = client.post("/api/ask", json={"question": "Does ketamine help fibro?"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert set(data) == CONTRACT
    assert list(data) == ["kind", "answer", "answer_html", "certainty", "caveats", "citations", "snippets",
                          "suggestions", "understood_as"]
    assert data["kind"] == "answer" and data["certainty"] == "very-low"
    assert set(data["citations"][0]) == CITATION and data["citations"][0]["n"] == 1
    assert data["understood_as"] == "does ketamine help fibromyalgia?"


def test_ask_equals_the_engine_json(client, engine):
    body = {"question": "what about the bladder?", "history": ["Does ketamine help fibro?"]}
    data = client.post("/api/ask", json=body).get_json()
    assert data == engine.ask(body["question"], history=body["history"]).to_json()


def test_ask_accepts_a_charset_and_an_empty_history(client):
    response = client.post("/api/ask", data=json.dumps({"question": "side effects?", "history": []}),
                           content_type="application/json; charset=utf-8")
    assert response.status_code == 200 and response.get_json()["kind"] == "answer"


def test_crisis_question_gets_the_crisis_kind(client):
    data = client.post("/api/ask", json={"question": "I want to end my life"}).get_json()
    assert data["kind"] == "crisis" and "988" in data["answer"] and data["citations"] == []


@pytest.mark.parametrize("body, field", [
    ({}, "question"),
    ({"question": None}, "question"),
    ({"question": 123}, "question"),
    ({"question": ["a"]}, "question"),
    ({"question": "   "}, "question"),
    ({"question": "x" * 2001}, "question"),
    ({"question": "ok", "history": "earlier"}, "history"),
    ({"question": "ok", "history": ["a", "b", "c", "d", "e", "f"]}, "history"),
    ({"question": "ok", "history": [1]}, "history"),
    ({"question": "ok", "history": ["x" * 2001]}, "history"),
])
def test_bad_fields_are_400_naming_the_field(client, body, field):
    message = error_of(client.post("/api/ask", json=body), 400, "bad_field")
    assert message.startswith(field)


def test_a_question_of_2000_characters_is_accepted(client):
    assert client.post("/api/ask", json={"question": "ketamine " + "x" * 1991}).status_code == 200


CHECK_CONTRACT = {"verdict", "explanation", "suggested_phrasing", "reading_grade", "jargon", "citations", "snippets"}


def test_check_returns_the_design_fields(client, engine):
    text = "Ketamine is proven to cure chronic pain."
    response = client.post("/api/check", json={"text": text})
    assert response.status_code == 200
    data = response.get_json()
    assert set(data) >= CHECK_CONTRACT and data["verdict"] == "overstated"
    assert data == engine.check(text).to_json()


@pytest.mark.parametrize("body", [{}, {"text": None}, {"text": 5}, {"text": "   "}, {"text": "x. " * 3000}])
def test_check_bad_text_is_400(client, body):
    assert error_of(client.post("/api/check", json=body), 400, "bad_field").startswith("text")


def test_check_content_type_method_and_readiness(client, not_ready_client):
    error_of(client.post("/api/check", data="text=x"), 415, "not_json")
    error_of(client.get("/api/check"), 405, "method_not_allowed")
    error_of(not_ready_client.post("/api/check", json={"text": "Ketamine works."}), 503, "not_ready")


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b'"just a string"', b"\xff\xfe"])
def test_malformed_or_non_object_json_is_400(client, raw):
    error_of(client.post("/api/ask", data=raw, content_type="application/json"), 400, "bad_json")


def test_too_large_body_is_413(client):
    error_of(client.post("/api/ask", json={"question": "x" * 20_000}), 413, "too_large")


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain", None])
def test_not_json_is_415(client, content_type):
    kwargs = {"content_type": content_type} if content_type else {}
    error_of(client.post("/api/ask", data="question=hello", **kwargs), 415, "not_json")


@pytest.mark.parametrize("method, path", [("get", "/api/ask"), ("put", "/api/ask"), ("post", "/healthz"),
                                          ("delete", "/readyz")])
def test_wrong_method_is_405_json(client, method, path):
    response = getattr(client, method)(path)
    error_of(response, 405, "method_not_allowed")
    assert response.headers["Allow"]


@pytest.mark.parametrize("path", ["/api/nope", "/api/", "/api", "/api/ask/extra"])
def test_unknown_api_paths_are_404_json(client, path):
    error_of(client.get(path), 404, "not_found")


def test_healthz_and_readyz_when_ready(client, engine):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    data = ready.get_json()
    assert data["status"] == "ready" and data["knowledge_version"] == engine.knowledge.content_hash
    assert data["snippets"] == len(engine.knowledge.snippets) and data["model_id"] == "fake-hash-256"


def test_not_ready_is_503_with_a_reason(not_ready_client):
    assert not_ready_client.get("/healthz").status_code == 200
    ready = not_ready_client.get("/readyz")
    assert ready.status_code == 503 and ready.get_json()["status"] == "not_ready"
    assert ready.get_json()["error"]["code"] == "not_ready"
    assert "python -m bot build" in ready.get_json()["error"]["message"]
    message = error_of(not_ready_client.post("/api/ask", json={"question": "hello"}), 503, "not_ready")
    assert "not ready" in message and "/" not in message  # no server paths outside /readyz


def test_bad_input_is_checked_before_readiness(not_ready_client):
    error_of(not_ready_client.post("/api/ask", data="x", content_type="text/plain"), 415, "not_json")


def test_rate_limit_is_429_json(engine):
    client = create_app({"ENGINE": engine, "TESTING": True, "RATE_LIMIT": "2 per minute"}).test_client()
    for _ in range(2):
        assert client.post("/api/ask", json={"question": "side effects?"}).status_code == 200
    error_of(client.post("/api/ask", json={"question": "side effects?"}), 429, "rate_limited")
    assert client.get("/healthz").status_code == 200  # only asking is limited


class BrokenEngine:
    """Loads, but fails inside ask: the API must answer 500 JSON without a trace."""

    def __init__(self, settings):
        self.settings = settings

    def ask(self, *args, **kwargs):
        raise RuntimeError("secret internal detail")


def test_unexpected_failure_is_500_json_without_details(engine):
    client = create_app({"ENGINE": BrokenEngine(engine.settings), "RATE_LIMIT": ""}).test_client()
    message = error_of(client.post("/api/ask", json={"question": "hello"}), 500, "internal")
    assert "secret" not in message
