"""Fixed user-facing wording, loaded from knowledge/messages.yaml (content lives in knowledge/)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.errors import KnowledgeError
from bot.knowledge.load import load_yaml_mapping

REQUIRED = ("reminder", "certainty_heading", "certainty", "certainty_labels", "disagreement_heading",
            "disagreement", "no_evidence", "covers_heading", "covers", "starter_questions",
            "general_question_hint", "locales", "kiosk_staff", "soft_help", "unmatched_terms", "safety")
SAFETY_KINDS = ("crisis", "emergency", "personal_advice", "personal_advice_no_evidence", "illicit",
                "out_of_scope")
CERTAINTY_KEYS = ("high", "moderate", "low", "very-low", "mixed", "not-graded")


@dataclass(frozen=True)
class Contact:
    label: str
    action: str
    tel: str
    sms: str | None = None


@dataclass(frozen=True)
class Messages:
    data: dict

    def __getitem__(self, key: str):
        return self.data[key]

    def contacts(self, locale: str) -> dict[str, Contact]:
        table = self.data["locales"].get(locale) or self.data["locales"]["us"]
        return {role: Contact(**entry) for role, entry in table.items()}

    def safety_text(self, kind: str, locale: str) -> str:
        contacts = self.contacts(locale)
        fill = {}
        for role, contact in contacts.items():
            fill[role] = contact.label
            fill[f"{role}_action"] = contact.action
        return " ".join(self.data["safety"][kind].format(**fill).split())


def load_messages(knowledge_dir) -> Messages:
    path = Path(knowledge_dir) / "messages.yaml"
    data = load_yaml_mapping(path)
    for key in REQUIRED:
        if key not in data:
            raise KnowledgeError(path, key, "missing")
    for key in SAFETY_KINDS:
        if key not in data["safety"]:
            raise KnowledgeError(path, f"safety.{key}", "missing")
    for key in CERTAINTY_KEYS:
        if key not in data["certainty"]:
            raise KnowledgeError(path, f"certainty.{key}", "missing")
    if "us" not in data["locales"]:
        raise KnowledgeError(path, "locales.us", "missing (the default locale)")
    for locale, table in data["locales"].items():
        for role in ("emergency", "crisis", "advice"):
            if role not in table:
                raise KnowledgeError(path, f"locales.{locale}.{role}", "missing")
    return Messages(data)
