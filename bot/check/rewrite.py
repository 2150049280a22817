"""Certainty-correct rewrites: fixed templates from knowledge/check.yaml, filled with the drug,
the condition, the harm in plain words and the supporting snippet's own first sentence."""

from __future__ import annotations

import re

from bot.enums import GRADED, Finding
from bot.knowledge.records import Snippet
from bot.knowledge.vocabulary import Vocabulary
from bot.knowledge.wording import CheckWording
from bot.search.question import Focus

HARM_OUTCOMES = {"side-effects", "mental-effects", "liver", "bladder", "dependence",
                 "heart-blood-pressure", "breathing", "memory", "interactions"}


class Rewriter:
    def __init__(self, wording: CheckWording, vocabulary: Vocabulary):
        self.wording, self.vocabulary = wording, vocabulary

    def effect(self, stance: str, certainty: str, drug: str, focus: Focus, snippet: Snippet) -> str:
        templates = self.wording["phrasing"]
        label = self.vocabulary.label(focus.condition) if focus.condition else self.vocabulary.label("chronic-pain")
        target = label if label.endswith("pain") else f"pain in {label}"
        template = templates["mixed"] if stance == "mixed" else templates[stance][certainty]
        return _join(self._fill(template, drug, target=target), first_sentence(snippet.body))

    def harm(self, drug: str, subject: str | None, snippet: Snippet) -> str:
        outcome = subject or next((o for o in snippet.outcomes if o in HARM_OUTCOMES), "side-effects")
        harm = self.wording["harm_words"].get(outcome, "side effects")
        if snippet.certainty in GRADED and snippet.finding == Finding.HARM:
            lead = self._fill(self.wording["phrasing"]["harm_graded"], drug, harm=harm,
                              certainty=self.wording["certainty_words"][snippet.certainty])
        else:
            lead = self._fill(self.wording["phrasing"]["harm"], drug, harm=harm)
        return _join(lead, first_sentence(snippet.body))

    def _fill(self, template: str, drug: str, **values) -> str:
        name = self.vocabulary.label(drug)
        return template.format(drug=name, Drug=name[:1].upper() + name[1:], **values)


def _join(lead: str, fact: str) -> str:
    return lead if not fact or fact.lower() in lead.lower() else f"{lead} {fact}"


def first_sentence(body: str) -> str:
    return re.split(r"(?<=[.!?])\s+", body.strip(), maxsplit=1)[0]
