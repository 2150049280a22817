"""A typed model per knowledge file (pydantic v2, unknown keys forbidden).

`validate(model, data, path, problems)` turns pydantic's errors into `KnowledgeError`s that name
the file and the field, in the words lint has always used. Fixed-text templates are checked for
`{placeholders}` the code does not fill.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints, ValidationError, field_validator

from bot.enums import SNIPPET_CERTAINTIES, Certainty, Design, Finding, Route

KEBAB = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, strict=True)]
Texts = list[Text]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    """One entry of knowledge/sources.yaml."""

    id: Annotated[str, StringConstraints(pattern=KEBAB, strict=True)]
    title: Text
    authors: Text
    year: StrictInt
    url: Text
    design: Design
    checked: dt.date
    journal: Text | None = None
    doi: Text | None = None
    studies: StrictInt | None = None
    participants: StrictInt | None = None
    note: Text | None = None  # for curators: how firm our reading is; never shown to patients
    summary: Text | None = None  # one plain sentence for patients (/sources)
    names: Texts = Field(default_factory=list)  # what people call it in a sentence ("Cochrane")

    def __hash__(self) -> int:
        return hash(self.id)


class SnippetMeta(Strict):
    """A snippet's front matter. Vocabulary fields are checked against knowledge/vocabulary.yaml."""

    title: Text
    sources: Annotated[Texts, Field(min_length=1)]
    certainty: Certainty
    finding: Finding
    drugs: Texts
    routes: Texts
    conditions: Texts
    outcomes: Texts
    questions: Texts
    checked: dt.date

    @field_validator("certainty")
    @classmethod
    def _snippet_level(cls, value: Certainty) -> Certainty:
        if value not in SNIPPET_CERTAINTIES:
            raise ValueError(f"'{value}' is not one of {', '.join(SNIPPET_CERTAINTIES)}")
        return value


class Term(Strict):
    """A vocabulary value: how it is shown, and the words that name it in a question."""

    label: Text | None = None
    names: Texts = Field(default_factory=list)


class VocabularyFile(Strict):
    subject: Text  # the medicine a question that names none is about
    drugs: dict[str, Term]
    routes: dict[str, Term]
    conditions: dict[str, Term]
    outcomes: Texts


class LexiconFile(Strict):
    expansions: dict[str, Text | Texts] = Field(default_factory=dict)  # lay term -> clinical terms
    jargon: dict[str, Text] = Field(default_factory=dict)  # clinical term -> plain words


class ScopeFile(Strict):
    domain_terms: Texts
    other_treatments: Texts
    covered_targets: Texts
    uncovered_topics: Texts = Field(default_factory=list)
    known_words: Texts = Field(default_factory=list)


class Contact(Strict):
    label: Text
    action: Text
    tel: Text
    sms: Text | None = None


ROLES = ("emergency", "crisis", "advice", "domestic_violence", "sexual_assault", "substance_use")


class MessagesFile(Strict):
    reminder: Text
    certainty_heading: Text
    certainty: dict[Certainty, Text]
    certainty_labels: dict[Certainty, Text]
    disagreement_heading: Text
    disagreement: dict[str, Text]
    no_evidence: Text
    covers_heading: Text
    covers: Texts
    starter_questions: Texts
    general_question_hint: Text
    locales: dict[str, dict[str, Contact]]
    soft_help: Text
    unmatched_terms: Text
    kiosk_staff: Text
    help_line: Text
    urgent_help: dict[str, Text]  # the pages' help box: heading, kiosk_staff
    safety: dict[str, Text]


class CheckWordingFile(Strict):
    verdict_labels: dict[str, Text]
    reasons: dict[str, Text]
    evidence_line: Text
    certainty_words: dict[Certainty, Text]
    phrasing: dict[str, Text | dict[Certainty, Text]]
    follow_up: dict[Certainty, Text] = Field(default_factory=dict)
    harm_words: dict[str, Text]


class RoutingFile(Strict):
    """knowledge/routing.yaml: labelled examples that train the router, and the question sets that do too."""

    question_sets: Texts = Field(default_factory=list)  # paths from the project folder
    examples: dict[Route, Texts]


class FloorPattern(Strict):
    id: Annotated[str, StringConstraints(pattern=KEBAB, strict=True)]
    pattern: Text
    why: Text | None = None


class FloorGuards(Strict):
    past: Text  # "last year", "as a child": not happening now
    ongoing: Text  # "since this morning", "right now": happening now after all
    informational: Text  # "is that normal?", "what happens if": asks about a harm, reports none


class SafetyFloorFile(Strict):
    """knowledge/safety_floor.yaml: the audited crisis, abuse and emergency patterns under the router."""

    definitions: dict[str, Text] = Field(default_factory=dict)
    guards: FloorGuards
    crisis: list[FloorPattern]
    abuse: list[FloorPattern] = Field(default_factory=list)  # disclosures of assault or abuse: the crisis reply with abuse lines
    emergency: list[FloorPattern]
    soft: dict[str, Text] = Field(default_factory=dict)  # kind -> subjects that add a help line to an answer


class LintListsFile(Strict):
    """knowledge/lint.yaml (optional): reviewed lists that `python -m bot lint` reads."""

    # group (publishers, doi_resolvers, ...) -> host names; a host matches itself and its subdomains
    source_hosts: dict[str, Texts] = Field(default_factory=dict)


def placeholders(template: str) -> set[str]:
    """The {names} a format string asks for ("{Drug} may reduce {target}" -> Drug, target)."""
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def unknown_placeholders(template: str, allowed: Iterable[str]) -> set[str]:
    try:
        return placeholders(template) - set(allowed)
    except ValueError:  # a lone "{" or "}"
        return {"{"}


def problems_of(exc: ValidationError) -> list[tuple[str, str]]:
    """(field, message) for each of pydantic's errors, in lint's words."""
    out = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"] if not str(part).startswith(("function-", "constrained-"))]
        field = ".".join(loc) or "-"
        out.append((field, _message(error)))
    return out


def _message(error: dict[str, Any]) -> str:
    kind, given = error["type"], error.get("input")
    if kind == "missing":
        return "missing"
    if kind == "extra_forbidden":
        return "unknown key"
    if kind in ("enum", "literal_error"):
        allowed = str(error.get("ctx", {}).get("expected", "")).replace("'", "").replace(" or ", ", ")
        return f"'{given}' is not one of {allowed}"
    if kind in ("string_type", "string_too_short"):
        return "must be text"
    if kind in ("int_type", "int_parsing"):
        return "must be a whole number"
    if kind in ("list_type", "too_short") and error["loc"] and error["loc"][0] == "sources":
        return "cite at least one source"
    if kind == "list_type":
        return "must be a list of text items"
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"):
        return "must be a date like 2026-11-23"
    if kind == "dict_type" or kind == "model_type":
        return "must be a mapping of keys to values"
    if kind == "string_pattern_mismatch":
        return f"'{given}' is not kebab-case"
    return error["msg"].removeprefix("Value error, ")
