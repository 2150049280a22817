"""Property-based fuzzing of the API from web/openapi.json, and of the HTML forms.

Hypothesis drives Flask's test client with requests made from the document's request schemas:
valid bodies, bodies that break the schema one field at a time, arbitrary JSON, raw bytes, wrong
content types, methods and paths. Every response must be under 500, be exactly what the document
promises for its status, and carry no raw markup. Fixture knowledge + fake embedder: a few ms a request.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.openapi import check_response, operations, request_schema
from tests.xss import PAYLOADS, markup_problems
from web import create_app

API_REQUESTS = 10_000
PAGE_REQUESTS = 1_500
BATCH = 10  # requests per generated example: Hypothesis's own cost per example is then shared
FUZZ = settings(deadline=None, database=None, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])
WORDS = ("ketamine", "fibro", "side effects", "bladder", "memantine", "DXM", "nerve pain", "dose", "safe",
         "proven", "cure", "may", "help", "I want to end my life", "infusion", "?", ".", "\n")
JSON_TYPES = "application/json"
CONTENT_TYPES = (JSON_TYPES, "application/json; charset=utf-8", "application/problem+json", "text/plain",
                 "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", None)


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: bytes | None = None
    content_type: str | None = JSON_TYPES
    fragment: bool = False
    valid: bool | None = None  # the body does (True) or does not (False) match the request schema


def texts(max_size: int) -> st.SearchStrategy[str]:
    """Strings a person, a scanner or a curious child might send."""
    return st.one_of(
        st.text(max_size=min(max_size, 80)),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=min(max_size, 40)),
        st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join),
        st.sampled_from(PAYLOADS).map(lambda p: p[:max_size]),
        st.integers(max(0, max_size - 3), max_size + 3).map(lambda n: "k" * n),  # around the limit
        st.sampled_from(["", " ", "\u200b", "\x00", "\ud800", "ｋｅｔａｍｉｎｅ", "\u202eniap", "e\u0301"]),
    )


def from_schema(schema: dict) -> st.SearchStrategy:
    """Values a request schema accepts (the subset of JSON Schema that web/openapi.json uses)."""
    kind = schema["type"]
    if kind == "string":
        return texts(schema.get("maxLength", 200)).filter(lambda s: len(s) >= schema.get("minLength", 0)
                                                          and len(s) <= schema.get("maxLength", 200))
    if kind == "array":
        return st.lists(from_schema(schema["items"]), max_size=schema.get("maxItems", 5))
    if kind == "object":
        props = schema["properties"]
        required = set(schema.get("required", ()))
        return st.fixed_dictionaries({k: from_schema(v) for k, v in props.items() if k in required},
                                     optional={k: from_schema(v) for k, v in props.items() if k not in required})
    raise NotImplementedError(kind)


_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = _scalars | st.lists(_scalars, max_size=4) | st.dictionaries(st.text(max_size=8), _scalars, max_size=4)


@st.composite
def broken(draw, schema: dict) -> dict:
    """A body that breaks the schema in one way: wrong type, too long, too many, missing, unknown key."""
    body = draw(VALID[id(schema)])
    field = draw(st.sampled_from(sorted(schema["properties"])))
    spec = schema["properties"][field]
    how = draw(st.sampled_from(["type", "long", "many", "missing", "unknown"]))
    if how == "type":
        body[field] = draw(json_values.filter(lambda v: not isinstance(v, str if spec["type"] == "string" else list)))
    elif how == "long" and spec["type"] == "string":
        body[field] = "x" * (spec["maxLength"] + draw(st.integers(1, 50)))
    elif how == "many" and spec["type"] == "array":
        body[field] = ["q"] * (spec["maxItems"] + draw(st.integers(1, 3)))
    elif how == "missing" and field in schema["required"]:
        del body[field]
    else:
        body[draw(st.text(min_size=1, max_size=12).filter(lambda k: k not in schema["properties"]))] = draw(json_values)
    return body


def encoded(body) -> st.SearchStrategy[bytes]:
    return st.sampled_from([json.dumps(body).encode(), json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")])


POSTS = [path for path, method in operations() if method == "POST"]
GETS = [path for path, method in operations() if method == "GET"]
SCHEMAS = {path: request_schema(path) for path in POSTS}
VALID = {id(schema): from_schema(schema) for schema in SCHEMAS.values()}  # built once: drawing is the cost
BODIES = {path: (VALID[id(schema)].flatmap(encoded), broken(schema).flatmap(encoded)) for path, schema in SCHEMAS.items()}
RAW = st.one_of(json_values.flatmap(encoded), st.binary(max_size=64), st.just(b"[" * 3000 + b"]" * 3000),
                st.just(b'{"question": "' + b"x" * 17_000 + b'"}'))


@st.composite
def api_calls(draw) -> Call:
    choice = draw(st.integers(0, 9))
    if choice <= 6:  # a body for one of the POST operations
        path = draw(st.sampled_from([*POSTS, "/api/ask"]))  # checking a text costs ~4x asking: ask more
        valid, invalid = BODIES[path]
        body = draw(valid if choice <= 3 else invalid if choice <= 5 else RAW)
        content_type = draw(st.sampled_from(CONTENT_TYPES)) if draw(st.integers(0, 4)) == 0 else JSON_TYPES
        return Call("POST", path, body, content_type, valid=(choice <= 3) if choice <= 5 else None)
    if choice == 7:
        return Call("GET", draw(st.sampled_from(GETS)), None, None)
    method = draw(st.sampled_from(["GET", "PUT", "DELETE", "PATCH", "POST"]))
    path = draw(st.sampled_from([*POSTS, *GETS]))
    return Call(method, path, draw(st.one_of(st.none(), st.binary(max_size=20))), draw(st.sampled_from(CONTENT_TYPES)))


# The schema cannot say "not blank once cleaned" or "at most 20 sentences": 400s a valid body may get.
CLEANED_AWAY = ("is empty", "is required and must be text", "longer than", "too many sentences")


def check_expected(call: Call, status: int, body: dict) -> None:
    """Schema-valid bodies are answered; schema-invalid ones are refused with 400."""
    if call.valid is None or call.content_type not in (JSON_TYPES, "application/json; charset=utf-8"):
        return
    if not call.valid:
        assert status == 400 and body["error"]["code"] == "bad_field", (call, body)
    elif status != 200:
        assert status == 400 and any(m in body["error"]["message"] for m in CLEANED_AWAY), (call, body)


def send(client, call: Call):
    headers = {"X-Fragment": "answer"} if call.fragment else {}
    kwargs = {"data": call.body, "headers": headers}
    if call.content_type is not None:
        kwargs["content_type"] = call.content_type
    response = client.open(call.path, method=call.method, **kwargs)
    if response.status_code == 303 and call.path == "/kiosk":  # the kiosk's post/redirect/get
        assert response.headers["Location"].startswith("/kiosk/answer/")
        response = client.get(response.headers["Location"])
    return response


@pytest.fixture(scope="module")
def client(engine):
    return create_app({"ENGINE": engine, "TESTING": False, "RATE_LIMIT": ""}).test_client()


def test_ten_thousand_generated_api_requests_get_no_5xx_and_match_the_document(client):
    statuses: Counter = Counter()

    @settings(FUZZ, max_examples=API_REQUESTS // BATCH)
    @given(st.lists(api_calls(), min_size=BATCH, max_size=BATCH))
    def batch(calls: list[Call]):
        for call in calls:
            response = send(client, call)
            statuses[response.status_code] += 1
            raw = response.get_data()
            assert response.status_code < 500, (call, raw[:300])
            assert response.mimetype == "application/json"
            assert b"<" not in raw and b"Traceback" not in raw
            body = json.loads(raw)
            check_response(call.path, call.method, response.status_code, body)
            check_expected(call, response.status_code, body)
            assert "default-src 'none'" in response.headers["Content-Security-Policy"]

    batch()
    total = sum(statuses.values())
    print(f"\n{total} generated API requests, by status: {dict(sorted(statuses.items()))}")
    assert total >= API_REQUESTS
    assert statuses[200] > total // 5 and statuses[400] > total // 10  # both paths were exercised


FORM_TEXT, EARLIER, OTHER = texts(2100), st.lists(texts(60), max_size=6), st.tuples(st.text(max_size=10), texts(30))
CARDS = st.sampled_from(["1", "7", "0", "-1", "²", "9999999", "x", ""])


@st.composite
def page_calls(draw) -> Call:
    path = draw(st.sampled_from(["/", "/kiosk", "/clinician"]))
    field = "text" if path == "/clinician" else "question"
    pairs = [(field, draw(FORM_TEXT))] if draw(st.integers(0, 9)) else []
    pairs += [("history", earlier) for earlier in draw(EARLIER)]
    if draw(st.booleans()):
        pairs.append(("card", draw(CARDS)))
    if draw(st.integers(0, 5)) == 0:
        pairs.append(draw(OTHER))
    body = urlencode(pairs, encoding="utf-8", errors="surrogatepass").encode()
    return Call("POST", path, body, "application/x-www-form-urlencoded", fragment=draw(st.booleans()))


def test_generated_form_posts_get_no_5xx_and_show_input_only_as_text(client):
    statuses: Counter = Counter()

    @settings(FUZZ, max_examples=PAGE_REQUESTS // BATCH)
    @given(st.lists(page_calls(), min_size=BATCH, max_size=BATCH))
    def batch(calls: list[Call]):
        for call in calls:
            response = send(client, call)
            statuses[response.status_code] += 1
            html = response.get_data(as_text=True)
            assert response.status_code < 500, (call, html[:300])
            assert response.mimetype == "text/html"
            assert markup_problems(html) == [], call
            assert "Traceback" not in html

    batch()
    print(f"\n{sum(statuses.values())} generated form posts, by status: {dict(sorted(statuses.items()))}")
    assert sum(statuses.values()) >= PAGE_REQUESTS
