"""web/openapi.json as a test oracle: the schema of each request body and of each documented response."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator

DOC_PATH = Path(__file__).resolve().parent.parent / "web" / "openapi.json"
DOC = json.loads(DOC_PATH.read_text())
SCHEMAS = DOC["components"]["schemas"]


def resolve(node: dict) -> dict:
    """Follow a local "$ref" such as #/components/responses/BadRequest."""
    while "$ref" in node:
        target = DOC
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def operations() -> list[tuple[str, str]]:
    return [(path, method.upper()) for path, item in DOC["paths"].items() for method in item]


def request_schema(path: str) -> dict:
    """The JSON schema of the request body of POST `path` (the API's request schemas have no refs)."""
    body = DOC["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    return resolve(body)


@cache
def response_validator(path: str, method: str, status: int) -> Draft202012Validator | None:
    """A validator for the documented response, or None when the document does not list `status`.

    A method the document has no operation for gets 405 with the Error shape (info.description).
    """
    operation = DOC["paths"].get(path, {}).get(method.lower())
    if operation is None:
        return _validator({"$ref": "#/components/schemas/Error"}) if status == 405 else None
    if str(status) not in operation["responses"]:
        return None
    response = resolve(operation["responses"][str(status)])
    return _validator(response["content"]["application/json"]["schema"])


def _validator(schema: dict) -> Draft202012Validator:
    return Draft202012Validator({**schema, "components": DOC["components"]})


def check_response(path: str, method: str, status: int, body) -> None:
    """AssertionError unless `body` is what the document promises for this status."""
    validator = response_validator(path, method, status)
    assert validator is not None, f"{method} {path} answered {status}, which web/openapi.json does not list"
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    assert not errors, f"{method} {path} {status}: " + "; ".join(
        f"{'/'.join(map(str, e.path)) or '(body)'}: {e.message}" for e in errors[:5])
