"""Checks on what people send: the question and the earlier questions (history).

Shared by the JSON API and the HTML form, so both refuse the same things with the same words.
"""

from __future__ import annotations

from flask import current_app

from bot.check import MAX_CHARS as MAX_CHECK_CHARS
from bot.text import normalize


class BadField(Exception):
    """A field of the request cannot be used; maps to 400 with code "bad_field"."""

    def __init__(self, field: str, message: str, for_people: str = ""):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message
        # The same problem in words for the page (the API gives the technical message).
        self.for_people = for_people or "Something went wrong with the earlier questions. Please start over."


def read_question(value) -> str:
    limit = current_app.config["MAX_QUESTION_CHARS"]
    if value is None:
        raise BadField("question", "is required", "Please type a question first.")
    if not isinstance(value, str):
        raise BadField("question", "must be text", "Please type a question first.")
    question = value.strip()
    if not normalize(question):
        raise BadField("question", "is empty", "Please type a question first.")
    if len(question) > limit:
        raise BadField("question", f"is longer than {limit:,} characters",
                       f"Please keep your question shorter than {limit:,} characters.")
    return question


def read_history(value) -> list[str]:
    """Earlier questions, oldest first: a list of at most MAX_HISTORY strings."""
    config = current_app.config
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadField("history", "must be a list of earlier questions")
    if len(value) > config["MAX_HISTORY"]:
        raise BadField("history", f"has more than {config['MAX_HISTORY']} questions")
    if not all(isinstance(item, str) for item in value):
        raise BadField("history", "must contain only text")
    if any(len(item) > config["MAX_QUESTION_CHARS"] for item in value):
        raise BadField("history", f"has a question longer than {config['MAX_QUESTION_CHARS']:,} characters")
    return [item.strip() for item in value if normalize(item)]


def follow_up_history(history: list[str], question: str) -> list[str]:
    """The history to send with the next question: the last MAX_HISTORY questions asked."""
    return [*history, question][-current_app.config["MAX_HISTORY"]:]


def read_text(value) -> str:
    """The clinician's text to check: non-empty, at most MAX_CHECK_CHARS characters."""
    if not isinstance(value, str) or not normalize(value):
        raise BadField("text", "is required and must be text", "Please paste a sentence to check.")
    if len(value) > MAX_CHECK_CHARS:
        raise BadField("text", f"is longer than {MAX_CHECK_CHARS:,} characters",
                       f"Please paste at most {MAX_CHECK_CHARS:,} characters.")
    return value
