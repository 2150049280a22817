"""The safety floor: audited crisis, abuse and emergency patterns (knowledge/safety_floor.yaml)
checked before anything else, so those replies need no model and work even if the index is down.

A disclosure of assault or abuse gets the crisis reply with the abuse lines; it is not held back
for being about the past ("I was raped last year"), only when it reads as a question about
something read or heard.

An emergency pattern is held back when the message is about the past or asks about a harm rather
than reporting one ("is that normal?"), unless the symptom is going on now.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.enums import Kind
from bot.knowledge.routing import SafetyFloor
from bot.search.question import Question


@dataclass(frozen=True)
class FloorHit:
    kind: Kind  # crisis or emergency
    rule: str  # the pattern's id in knowledge/safety_floor.yaml
    matched: str
    reply: str  # which reply: "crisis", "abuse" (the crisis reply with the abuse lines) or "emergency"


class Floor:
    def __init__(self, floor: SafetyFloor):
        self.floor = floor

    def check(self, question: Question) -> FloorHit | None:
        text = question.folded
        for rule, pattern in self.floor.crisis:
            match = pattern.search(text)
            if match:
                return FloorHit(Kind.CRISIS, rule, match.group(0).strip(), "crisis")
        informational = self.floor.informational.search(text) and not self.floor.ongoing.search(text)
        if not informational:
            for rule, pattern in self.floor.abuse:
                match = pattern.search(text)
                if match:
                    return FloorHit(Kind.CRISIS, rule, match.group(0).strip(), "abuse")
        if self.floor.past.search(text) or informational:
            return None
        for rule, pattern in self.floor.emergency:
            match = pattern.search(text)
            if match:
                return FloorHit(Kind.EMERGENCY, rule, match.group(0).strip(), "emergency")
        return None

    def soft(self, question: Question) -> str | None:
        """'crisis' or 'emergency' when an ordinary question touches those subjects (suicide, overdose)."""
        for kind, pattern in self.floor.soft:
            if pattern.search(question.folded):
                return kind
        return None
