"""Checks on what people send: the question, the earlier questions (history), the clinician's text.

Shared by the JSON API and the HTML forms, so both refuse the same things with the same words.
Text is cleaned before anything else sees it: Unicode NFKC, control characters turned into spaces,
invisible format characters (zero-width, bidi overrides) and lone surrogates removed, whitespace
collapsed. Lengths are checked on the cleaned text.
"""

from __future__ import annotations

import re
import unicodedata

from flask import current_app

ASK_FIELDS = ("question", "history")
CHECK_FIELDS = ("text",)
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r" ?\n[\n ]*")


class BadField(Exception):
    """A field of the request cannot be used; maps to 400 with code "bad_field"."""

    def __init__(self, field: str, message: str, for_people: str = ""):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message
        # The same problem in words for the page (the API gives the technical message).
        self.for_people = for_people or "Something went wrong with the earlier questions. Please start over."


def clean(value: str, newlines: bool = False) -> str:
    """NFKC; controls become spaces; format, surrogate, private and unassigned characters go."""
    text = unicodedata.normalize("NFKC", value)
    out = []
    for ch in text:
        kind = unicodedata.category(ch)
        if ch == "\n" and newlines:
            out.append(ch)
        elif kind == "Cc":
            out.append(" ")
        elif kind[0] != "C":
            out.append(ch)
    text = "".join(out)
    if not newlines:
        return " ".join(text.split())
    return _BLANK_LINES.sub("\n", _SPACES.sub(" ", text)).strip()


def only_fields(body: dict, allowed: tuple[str, ...]) -> None:
    """Unknown fields are refused, so a misspelt "histroy" is not silently ignored."""
    unknown = sorted(clean(str(key))[:40] for key in body if key not in allowed)
    if unknown:
        raise BadField(unknown[0] or "(blank)", f"is not a known field (known: {', '.join(allowed)})")


def read_question(value) -> str:
    limit = current_app.config["MAX_QUESTION_CHARS"]
    if value is None:
        raise BadField("question", "is required", "Please type a question first.")
    if not isinstance(value, str):
        raise BadField("question", "must be text", "Please type a question first.")
    question = clean(value)
    if not question:
        raise BadField("question", "is empty", "Please type a question first.")
    if len(question) > limit:
        raise BadField("question", f"is longer than {limit:,} characters",
                       f"Please keep your question shorter than {limit:,} characters.")
    return question


def read_history(value) -> list[str]:
    """Earlier questions, oldest first: a list of at most MAX_HISTORY strings."""
    config = current_app.config
    if not isinstance(value, list):
        raise BadField("history", "must be a list of earlier questions")
    if len(value) > config["MAX_HISTORY"]:
        raise BadField("history", f"has more than {config['MAX_HISTORY']} questions")
    if not all(isinstance(item, str) for item in value):
        raise BadField("history", "must contain only text")
    history = [clean(item) for item in value]
    if any(len(item) > config["MAX_QUESTION_CHARS"] for item in history):
        raise BadField("history", f"has a question longer than {config['MAX_QUESTION_CHARS']:,} characters")
    return [item for item in history if item]


def follow_up_history(history: list[str], question: str) -> list[str]:
    """The history to send with the next question: the last MAX_HISTORY questions asked."""
    return [*history, question][-current_app.config["MAX_HISTORY"]:]


def read_text(value) -> str:
    """The clinician's text to check: non-empty, at most MAX_CHECK_CHARS characters."""
    text = clean(value, newlines=True) if isinstance(value, str) else ""
    limit = current_app.config["MAX_CHECK_CHARS"]
    if not text:
        raise BadField("text", "is required and must be text", "Please paste a sentence to check.")
    if len(text) > limit:
        raise BadField("text", f"is longer than {limit:,} characters",
                       f"Please paste at most {limit:,} characters.")
    return text
