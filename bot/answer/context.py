"""Follow-up questions: keep the drug, route and condition of earlier turns in focus.

"what about side effects?" after "does ketamine help fibro?" is read as being about ketamine
and fibromyalgia; a new full question that names its own drug starts afresh.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.search.retrieve import Expander
from bot.text import STOPWORDS, fold, words

# Facet value (the knowledge vocabulary's id) -> the words, after lay-term expansion, that name it.
FACETS: dict[str, dict[str, tuple[str, ...]]] = {
    "drug": {
        "ketamine": ("ketamine", "ketalar"),
        "esketamine": ("esketamine", "spravato"),
        "memantine": ("memantine", "namenda"),
        "dextromethorphan": ("dextromethorphan", "dxm"),
        "amantadine": ("amantadine",),
        "magnesium": ("magnesium",),
    },
    "route": {
        "iv": ("iv", "intravenous", "infusion", "infusions", "drip", "drips"),
        "oral": ("oral", "tablet", "tablets", "pill", "pills", "by mouth", "capsule", "capsules"),
        "topical": ("topical", "cream", "gel", "ointment"),
        "intranasal": ("intranasal", "nasal", "nose spray"),
        "sublingual": ("sublingual", "lozenge", "lozenges", "troche", "troches", "under the tongue"),
    },
    "condition": {
        "neuropathic-pain": ("neuropathic", "nerve pain", "neuropathy"),
        "fibromyalgia": ("fibromyalgia",),
        "crps": ("complex regional pain syndrome", "crps"),
        "spinal-cord-injury": ("spinal cord injury", "spinal cord"),
        "phantom-limb-pain": ("phantom limb", "phantom"),
        "postherpetic-neuralgia": ("postherpetic neuralgia", "shingles"),
        "diabetic-neuropathy": ("diabetic neuropathy", "diabetic nerve pain"),
        "migraine": ("migraine", "migraines", "headache", "headaches"),
        "low-back-pain": ("back pain", "low back pain", "sciatica"),
        "cancer-pain": ("cancer pain", "cancer"),
        "depression": ("depression", "depressed"),
    },
}
# How a facet value is shown to users (values not listed are shown as they are).
LABELS = {"iv": "IV", "neuropathic-pain": "neuropathic pain", "crps": "CRPS",
          "spinal-cord-injury": "spinal cord injury", "phantom-limb-pain": "phantom limb pain",
          "postherpetic-neuralgia": "postherpetic neuralgia", "diabetic-neuropathy": "diabetic neuropathy",
          "low-back-pain": "back pain", "cancer-pain": "cancer pain"}
_LEADS = re.compile(r"^(and|but|also|so|what about|how about|what if|then|ok|okay|and what about|"
                    r"is it|does it|do they|can it|will it|would it|are they|is that|what about it|it|they|this|that)\b")
DEFAULT_DRUG = "ketamine"
# Words that ask about something without naming it: "how sure", "does it last", "is it safe".
GENERIC_WORDS = frozenset("sure certain long last lasts lasting safe safety work works working worth help helps "
                          "good bad true right ok okay well often much evidence research say said mean means".split())
SHORT_QUESTION_WORDS = 4  # content words at or below which a question leans on the earlier turn


@dataclass(frozen=True)
class Focus:
    drug: str | None = None
    route: str | None = None
    condition: str | None = None
    earlier: str | None = None  # the earlier question a vague follow-up leans on
    assumed: bool = False  # the drug is the service's default, not something the user said

    def values(self) -> list[str]:
        """The carried facets in words, for the search and for "understood as"."""
        return [LABELS.get(v, v) for v in (self.drug, self.route, self.condition) if v]


class ContextTracker:
    def __init__(self, expander: Expander):
        self.expander = expander
        self.patterns = {
            facet: [(value, re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(ws, key=len, reverse=True)) + r")\b"))
                    for value, ws in table.items()]
            for facet, table in FACETS.items()
        }

    def focus(self, text: str) -> Focus:
        expanded = fold(self.expander.expand(text).expanded)
        found = {}
        for facet, patterns in self.patterns.items():
            for value, pattern in patterns:
                if pattern.search(expanded):
                    found[facet] = value
                    break
        return Focus(**found)

    def is_follow_up(self, text: str) -> bool:
        folded = fold(text).strip()
        content = [w for w in words(folded) if w not in STOPWORDS]
        return bool(_LEADS.match(folded)) or len(content) <= SHORT_QUESTION_WORDS

    def is_vague(self, text: str) -> bool:
        """No topic words of its own ("how sure are they about that?", "is it safe?")."""
        return not [w for w in words(text) if w not in STOPWORDS and w not in GENERIC_WORDS]

    def resolve(self, question: str, history: list[str] | tuple[str, ...]) -> Focus:
        """What to carry over from earlier turns: drug, route, condition and, for a vague
        follow-up, the earlier question itself (empty for a new full question)."""
        now = self.focus(question)
        if not history:
            # "is it worth it?" with nothing before: "it" is ketamine, the subject of this service.
            leads = bool(_LEADS.match(fold(question).strip()))
            return Focus(drug=DEFAULT_DRUG, assumed=True) if leads and not now.drug else Focus()
        if not self.is_follow_up(question):
            return Focus()
        carried: dict[str, str] = {}
        recent = list(history)[-5:]
        for earlier in reversed(recent):
            past = self.focus(earlier)
            for facet in ("drug", "route", "condition"):
                if getattr(now, facet) is None and facet not in carried and getattr(past, facet):
                    carried[facet] = getattr(past, facet)
        topical = [h for h in recent if not self.is_vague(h) and not _LEADS.match(fold(h).strip())]
        earlier = (topical or recent)[-1] if self.is_vague(question) else None
        return Focus(**carried, earlier=earlier)
