"""Safety triage: runs before retrieval, and no retrieval score can override it.

Two signals, either is enough:
- patterns: hand-written expressions for each kind, checked first (crisis and emergency
  need no model at all, so they also work if the index is down);
- meaning: the question's embedding compared with curated examples in knowledge/safety.yaml;
  the nearest examples vote, and `in_scope` examples hold back near-misses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from bot.errors import KnowledgeError
from bot.text import fold, normalize

KINDS = ("crisis", "emergency", "illicit", "personal_advice", "out_of_scope")  # precedence order
EXAMPLE_KINDS = KINDS + ("in_scope",)

_PERSON = r"(?:i|i'm|im|i've|ive|i'd|me|my|we|he|she|they|someone|somebody|friend|husband|wife|partner|son|daughter|child|kid|baby|mum|mom|dad|mother|father|brother|sister|boyfriend|girlfriend|patient)"
_FIRST_PERSON = re.compile(r"\b(i|i'm|im|i've|ive|i'd|me|my|myself|mine)\b")
_PAST = re.compile(r"\b(last (year|month|week)|years ago|months ago|history of|in the past|used to|when i was|as a child|have had|had a)\b")

PATTERNS: dict[str, list[re.Pattern]] = {
    "crisis": [re.compile(p) for p in (
        r"\b(kill|killing|hurt|hurting|harm|harming|cut|cutting|burn|burning)\s+(my ?self|me)\b",
        r"\b(end|ending|take|taking|finish)\s+(my|my own)\s+life\b",
        r"\b(want|wanna|wish|going|ready|rather|like)\s+(to\s+)?(just\s+)?(die|be dead|not exist|disappear forever)\b",
        r"\bbetter off (dead|without me|if i (was|were) gone)\b",
        r"\b(no|not any|isn't any|don't see any|nothing to)\s*(reason|point|will)\s+(to|in)\s+(live|living|go on|going on|being alive|keep going)\b",
        r"\b(don't|do not|dont)\s+want\s+to\s+(live|be alive|be here anymore|exist|wake up)\b",
        r"\b(can't|cannot|cant|can not)\s+(go on|take (\w+\s+){1,3}any ?more|do this any ?more|keep living|cope any ?more)\b",
        r"\bnot worth (living|it any ?more|being alive)\b",
        r"\b(i|i'm|im|i am|i've|ive|i have|feel|feeling|been|my)\b[^.?!]{0,25}\bsuicid",
        r"\bsuicid\w*\s+(thoughts|feelings|plan)\b[^.?!]{0,20}\b(i|i'm|im|i've|my|me)\b",
        r"\b(self[- ]?harm|overdose on purpose|end it all|no way out|hopeless)\b",
        r"\b(never|not)\s+wake\s+up\b",
    )],
    "emergency": [re.compile(p) for p in (
        rf"\b{_PERSON}\b[^.?!]{{0,40}}\b(took|taken|swallowed|had|drank|used)\b[^.?!]{{0,25}}\b(too much|too many|double|overdos\w*|whole (bottle|pack|box))\b",
        rf"\b{_PERSON}\b[^.?!]{{0,40}}\boverdos(ed|ing)\b",
        rf"\b{_PERSON}\b[^.?!]{{0,40}}\b(chest pain|chest hurts|crushing chest|heart attack|stroke)\b",
        r"\b(can't|cannot|cant|can not|struggling to|hard to|trouble)\s+(breathe|breathing|catch (my|his|her|their) breath)\b",
        r"\b(not|stopped|isn't|is not|aren't|wasn't)\s+breathing\b",
        rf"\b{_PERSON}\b[^.?!]{{0,40}}\b(seizure|seizing|fitting|convuls\w*)\b",
        r"\b(having|is having|is in) a (seizure|fit)\b",
        r"\b(unresponsive|unconscious|won't wake|will not wake|not waking|can't wake|cannot wake|collapsed|passed out|lips (are |turning |going )?blue)\b",
        r"\b(call|need) (an )?ambulance\b|\bemergency right now\b",
    )],
    "illicit": [re.compile(p) for p in (
        r"\b(buy|buying|purchase|purchasing|order|ordering|score|scoring|get hold of|cop)\b[^.?!]{0,30}\b(ketamine|ket|special k|vitamin k|dxm|k)\b(?![^.?!]*\b(insurance|covered|cost|price|prescri\w*)\b)",
        r"\b(get|getting|feel|be)\s+(high|stoned|wasted|messed up|buzzed)\b[^.?!]{0,20}\b(on|with|off|from)?\b",
        r"\b(get|getting|reach|reaching|hit|hitting|go|going|into|achieve|dose)\b[^.?!]{0,25}\bk[- ]?hole\b",
        r"\b(for fun|recreational\w*|at a party|at parties|party drug use|rave|festival)\b",
        r"\bwithout (a |any )?(prescription|script|doctor)\b",
        r"\b(dealer|dark ?web|street ketamine)\b",
        r"\b(how much|how many|best way|want|wanna|trying|try)\b[^.?!]{0,40}\b(to )?(trip|tripping|robo ?trip\w*)\b",
        r"\b(mix|mixing|combine|combining|take|taking)\b[^.?!]{0,40}\b(alcohol|booze|drinks?|mdma|molly|cocaine|coke)\b[^.?!]{0,40}\b(high|buzz|stronger|better|intense|feel more|effect)\b",
    )],
    "personal_advice": [re.compile(p) for p in (
        r"\bshould i\b|\bshould my\b|\bshall i\b|\bdo i need\b|\bwould you recommend\b",
        r"\b(can|could|may|is it ok(ay)? (to|if) i|is it ok(ay)? for me to)\s*i?\s*(stop|start|quit|take|increase|decrease|reduce|raise|lower|double|skip|combine|switch|come off|get off|cut down|drive|drink)\b",
        r"\bwhat (dose|dosage|amount|strength)\b[^.?!]{0,40}\b(i|me|my)\b",
        r"\bhow (much|many|often)\b[^.?!]{0,40}\b(should|do|can|must|could) i\b",
        r"\b(right|safe|suitable|good|ok|okay|a good idea|worth it) for me\b",
        r"\bmy (dose|dosage|prescription)\b",
        r"\bam i a (good |suitable )?candidate\b|\bwill it (work|help) for me\b|\bwould it help me\b",
    )],
}


# Subjects that, in an ordinary question, earn a line with help numbers beside the answer.
SOFT_SIGNALS = {
    "crisis": re.compile(r"\b(suicid\w*|self[- ]?harm|kill (my|your|them)sel\w*|want(s|ed)? to die)\b"),
    "emergency": re.compile(r"\b(overdos\w*|too much|too many|poison\w*|stop(ped|s)? breathing)\b"),
}


@dataclass(frozen=True)
class Triage:
    kind: str  # one of KINDS, or "answer" when nothing fires
    reason: str
    similarity: float = 0.0


@dataclass(frozen=True)
class SafetyConfig:
    neighbours: int = 3
    # Similarity to the nearest examples needed to route by meaning alone, per kind.
    thresholds: tuple[tuple[str, float], ...] = (
        ("crisis", 0.62), ("emergency", 0.68), ("illicit", 0.70), ("personal_advice", 0.72),
        ("out_of_scope", 0.60))


def load_examples(knowledge_dir) -> tuple[dict[str, list[str]], tuple[str, ...]]:
    """(examples by kind, domain terms) from knowledge/safety.yaml."""
    path = Path(knowledge_dir) / "safety.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KnowledgeError(path, "-", "file not found") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise KnowledgeError(path, "-", f"broken YAML: {' '.join(str(exc).split())}") from None
    if not isinstance(data, dict):
        raise KnowledgeError(path, "-", "must be a mapping of kind -> examples")
    for key, value in data.items():
        if key not in EXAMPLE_KINDS + ("domain_terms",):
            raise KnowledgeError(path, key, f"unknown key (allowed: {', '.join(EXAMPLE_KINDS)}, domain_terms)")
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise KnowledgeError(path, key, "must be a list of text items")
    examples = {kind: list(data.get(kind) or []) for kind in EXAMPLE_KINDS}
    return examples, tuple(t.lower() for t in data.get("domain_terms") or [])


def labelled_examples(examples: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(kind, phrase) pairs: what the index embeds and stores for triage."""
    return [(kind, phrase) for kind in EXAMPLE_KINDS for phrase in examples.get(kind, [])]


class Triager:
    def __init__(self, examples: tuple[tuple[str, str], ...] = (), vectors: np.ndarray | None = None,
                 domain_terms: tuple[str, ...] = (), config: SafetyConfig | None = None):
        self.labels = [kind for kind, _ in examples]
        self.phrases = [phrase for _, phrase in examples]
        self.vectors = vectors if vectors is not None and len(self.labels) else None
        self.config = config or SafetyConfig()
        terms = sorted(domain_terms, key=len, reverse=True)
        self.domain = re.compile(r"\b(" + "|".join(re.escape(t) for t in terms) + r")\b") if terms else None

    def by_pattern(self, question: str) -> Triage | None:
        text = fold(normalize(question))
        for kind in KINDS:
            for pattern in PATTERNS.get(kind, ()):
                match = pattern.search(text)
                if match is None:
                    continue
                if kind == "emergency" and _PAST.search(text):
                    continue
                return Triage(kind, f"pattern '{match.group(0).strip()}'", 1.0)
        return None

    def by_meaning(self, vector: np.ndarray, question: str = "") -> Triage | None:
        if self.vectors is None:
            return None
        sims = self.vectors @ vector
        top = np.argsort(-sims)[: self.config.neighbours]
        votes: dict[str, float] = {}
        for i in top:
            votes[self.labels[i]] = max(votes.get(self.labels[i], 0.0), float(sims[i]))
        best = self.labels[top[0]]
        if best == "in_scope":
            return None
        threshold = dict(self.config.thresholds).get(best, 1.1)
        if votes[best] < threshold or votes[best] <= votes.get("in_scope", 0.0) + 0.02:
            return None
        if best == "personal_advice" and not _FIRST_PERSON.search(fold(question)):
            return None  # advice is about the asker: "ketamine lozenges" alone is not a request for it
        return Triage(best, f"close to example '{self.phrases[top[0]]}'", votes[best])

    def triage(self, question: str, vector: np.ndarray | None = None) -> Triage:
        found = self.by_pattern(question)
        if found is None and vector is not None:
            found = self.by_meaning(vector, question)
            if found is not None and found.kind == "out_of_scope" and self.mentions_domain(question):
                found = None
        return found or Triage("answer", "no safety signal")

    def soft_signal(self, question: str) -> str | None:
        """'crisis' or 'emergency' when an ordinary question touches those subjects."""
        text = fold(normalize(question))
        for kind, pattern in SOFT_SIGNALS.items():
            if pattern.search(text):
                return kind
        return None

    def mentions_domain(self, question: str) -> bool:
        return bool(self.domain and self.domain.search(fold(normalize(question))))
