"""web/openapi.json: served, a valid document, and exactly what the API accepts and returns."""

import pytest
from jsonschema import Draft202012Validator

from bot.enums import Design, Kind, Verdict
from tests.conftest import FIXTURE_KNOWLEDGE
from tests.fakes import HashEmbedder
from tests.openapi import DOC, SCHEMAS, check_response, operations, request_schema
from web import create_app, default_config
from web.errors import CODES


@pytest.fixture(scope="module")
def app(engine):
    return create_app({"ENGINE": engine, "TESTING": True, "RATE_LIMIT": ""})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


def test_the_document_is_served_as_json(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == DOC
    assert b"<" not in response.get_data()


def test_the_document_is_openapi_3_1_with_valid_schemas():
    assert DOC["openapi"] == "3.1.0" and DOC["info"]["title"] and DOC["info"]["version"]
    for schema in SCHEMAS.values():
        Draft202012Validator.check_schema({**schema, "components": DOC["components"]})
    for path, method in operations():
        operation = DOC["paths"][path][method.lower()]
        assert operation["operationId"] and operation["responses"]


def test_the_document_lists_exactly_the_api_routes(app):
    routes = {(rule.rule, method) for rule in app.url_map.iter_rules()
              if rule.rule.startswith(("/api/", "/healthz", "/readyz"))
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == set(operations())


def test_limits_and_enums_match_the_code():
    config = default_config({})
    ask, check = request_schema("/api/ask"), request_schema("/api/check")
    assert ask["properties"]["question"]["maxLength"] == config["MAX_QUESTION_CHARS"]
    assert ask["properties"]["history"]["maxItems"] == config["MAX_HISTORY"]
    assert ask["properties"]["history"]["items"]["maxLength"] == config["MAX_QUESTION_CHARS"]
    assert check["properties"]["text"]["maxLength"] == config["MAX_CHECK_CHARS"]
    assert ask["additionalProperties"] is False and check["additionalProperties"] is False
    assert f"{config['MAX_CONTENT_LENGTH']:,} bytes" in DOC["info"]["description"]
    assert SCHEMAS["AskResponse"]["properties"]["kind"]["enum"] == list(Kind)
    assert SCHEMAS["Verdict"]["enum"] == list(Verdict)
    assert SCHEMAS["Citation"]["properties"]["design"]["enum"] == list(Design)
    assert set(CODES.values()) | {"bad_field", "bad_json"} == set(SCHEMAS["ErrorDetail"]["properties"]["code"]["enum"])


def test_the_response_schemas_are_strict():
    """A field the contract does not have (or one it lost) fails validation: the oracle has teeth."""
    good = {"kind": "answer", "answer": "a", "answer_html": "<p>a</p>", "certainty": "low", "caveats": [],
            "citations": [], "snippets": [], "suggestions": [], "understood_as": "a"}
    check_response("/api/ask", "POST", 200, good)
    for broken in ({**good, "extra": 1}, {k: v for k, v in good.items() if k != "caveats"}, {**good, "kind": "maybe"}):
        with pytest.raises(AssertionError):
            check_response("/api/ask", "POST", 200, broken)
    with pytest.raises(AssertionError, match="does not list"):
        check_response("/api/ask", "POST", 302, {})


ASKS = ["Does ketamine help fibro?", "I want to end my life", "my friend took too much ketamine and is not breathing",
        "how much ketamine should I take", "where can I buy ketamine", "what is the capital of France",
        "does ketamine help tinnitus"]


@pytest.mark.parametrize("question", ASKS)
def test_real_answers_match_the_document(client, question):
    response = client.post("/api/ask", json={"question": question, "history": ["side effects?"]})
    check_response("/api/ask", "POST", response.status_code, response.get_json())


@pytest.mark.parametrize("text", ["Ketamine is proven to cure chronic pain.",
                                  "Ketamine causes bladder problems. It is safe. Magnesium cures everything.",
                                  "NMDA antagonism reduces central sensitisation.", "Le chat est noir."])
def test_real_checks_match_the_document(client, text):
    response = client.post("/api/check", json={"text": text})
    assert response.status_code == 200
    data = response.get_json()
    check_response("/api/check", "POST", 200, data)
    assert isinstance(data["claims"], list) and data["claims"]


def test_errors_match_the_document(client, engine):
    cases = [("POST", "/api/ask", {"json": {"question": 1}}, 400), ("POST", "/api/ask", {"data": "{"}, 415),
             ("POST", "/api/ask", {"data": "{", "content_type": "application/json"}, 400),
             ("POST", "/api/check", {"json": {"text": "x" * 20_000}}, 413), ("GET", "/api/ask", {}, 405),
             ("POST", "/readyz", {}, 405), ("GET", "/healthz", {}, 200), ("GET", "/readyz", {}, 200)]
    for method, path, kwargs, status in cases:
        response = client.open(path, method=method, **kwargs)
        assert response.status_code == status
        check_response(path, method, status, response.get_json())
    limited = create_app({"ENGINE": engine, "RATE_LIMIT": "1 per minute"}).test_client()
    statuses = [limited.post("/api/ask", json={"question": "side effects?"}) for _ in range(2)]
    check_response("/api/ask", "POST", 429, statuses[1].get_json())


def test_not_ready_responses_match_the_document(tmp_path):
    client = create_app({"KNOWLEDGE_DIR": FIXTURE_KNOWLEDGE, "INDEX_DIR": tmp_path / "none",
                         "EMBEDDER": HashEmbedder()}).test_client()
    check_response("/readyz", "GET", 503, client.get("/readyz").get_json())
    for path, body in (("/api/ask", {"question": "hi"}), ("/api/check", {"text": "Ketamine works."})):
        check_response(path, "POST", 503, client.post(path, json=body).get_json())


def test_documented_examples_of_limits_are_enforced(client):
    """What the document calls the edge is the edge: maxLength passes, one more fails."""
    limit = SCHEMAS["AskRequest"]["properties"]["question"]["maxLength"]
    assert client.post("/api/ask", json={"question": "k" * limit}).status_code == 200
    assert client.post("/api/ask", json={"question": "k" * (limit + 1)}).status_code == 400
    items = SCHEMAS["AskRequest"]["properties"]["history"]["maxItems"]
    assert client.post("/api/ask", json={"question": "ok", "history": ["a"] * items}).status_code == 200
    assert client.post("/api/ask", json={"question": "ok", "history": ["a"] * (items + 1)}).status_code == 400
