"""Fixed user-facing wording, from knowledge/messages.yaml (content lives in knowledge/).

Checked at load: every required message, certainty level, safety reply and locale role is there,
and no template asks for a {placeholder} the code does not fill.
"""

from __future__ import annotations

from pathlib import Path

from bot.enums import Certainty
from bot.knowledge.files import Problems, check_placeholders, read_mapping
from bot.knowledge.models import ROLES, Contact, MessagesFile

SAFETY_KINDS = ("crisis", "abuse", "emergency", "substance_help", "symptom", "personal_advice",
                "personal_advice_no_evidence", "illicit", "out_of_scope")
DISAGREEMENT_REASONS = ("trial_vs_observational", "reviews_differ", "other")
# The placeholders each template may use; any other is a typo that would crash an answer.
CONTACT_FILLS = tuple(f"{role}{suffix}" for role in ROLES for suffix in ("", "_action"))
TEMPLATE_FILLS = {"soft_help": ("action",), "unmatched_terms": ("terms",)}


class Messages:
    def __init__(self, data: MessagesFile):
        self.data = data

    def __getitem__(self, key: str):
        return getattr(self.data, key)

    def contacts(self, locale: str) -> dict[str, Contact]:
        return dict(self.data.locales.get(locale) or self.data.locales["us"])

    def safety_text(self, kind: str, locale: str) -> str:
        fill = {}
        for role, contact in self.contacts(locale).items():
            fill[role] = contact.label
            fill[f"{role}_action"] = contact.action
        return " ".join(self.data.safety[kind].format(**fill).split())

    def help_line(self, locale: str) -> str:
        """Where to get help: the line that ends every "no evidence" and "out of scope" reply."""
        actions = {f"{role}_action": c.action for role, c in self.contacts(locale).items()}
        return " ".join(self.data.help_line.format(**actions).split())


def check_messages(path: Path, problems: Problems) -> MessagesFile | None:
    data = read_mapping(path, MessagesFile, problems)
    if data is None:
        return None
    required = {"safety": SAFETY_KINDS, "certainty": [*(c.value for c in Certainty if c != Certainty.NONE)],
                "disagreement": DISAGREEMENT_REASONS, "urgent_help": ("heading", "kiosk_staff")}
    for section, keys in required.items():
        for key in keys:
            if key not in getattr(data, section):
                problems.add(path, f"{section}.{key}", "missing")
    if "us" not in data.locales:
        problems.add(path, "locales.us", "missing (the default locale)")
    for locale, table in data.locales.items():
        for role in ROLES:
            if role not in table:
                problems.add(path, f"locales.{locale}.{role}", "missing")
    templates = {f"safety.{k}": (v, CONTACT_FILLS) for k, v in data.safety.items()}
    templates |= {f"certainty.{k}": (v, ("levels",) if k == Certainty.MIXED else ()) for k, v in data.certainty.items()}
    templates |= {key: (getattr(data, key), fills) for key, fills in TEMPLATE_FILLS.items()}
    templates["help_line"] = (data.help_line, CONTACT_FILLS)
    for field in ("reminder", "no_evidence", "kiosk_staff", "general_question_hint"):
        templates[field] = (getattr(data, field), ())
    check_placeholders(path, templates, problems)
    return data


def load_messages(knowledge_dir) -> Messages:
    """messages.yaml alone (the web's "not ready" pages still show the help lines); KnowledgeError if broken."""
    return Messages(check_messages(Path(knowledge_dir) / "messages.yaml", Problems(strict=True)))
