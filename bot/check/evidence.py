"""What the snippets say about a claim: support before "consistent".

Two ways a snippet speaks to a claim:
- its front matter (findings): a claim of benefit or harm is judged against the snippets about the
  same medicine (and route and condition, where the claim names them) and the same outcome, by
  their `finding` and `certainty`; a study the claim names is judged by the snippets that cite it
  first;
- one of its sentences (statements): a statement of fact ("approved for depression", "had no
  comparison group") is supported when a snippet sentence about the same medicine says the same
  words the same way, and contradicted when it says them the other way round (denied, or with an
  opposite word such as "blocks" for "activates").
Every snippet sentence is read once, with the same rules as the claims.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, replace

from bot.check.reading import ANY_USE, GENERIC_USE, Claim, Reader
from bot.enums import Certainty, Finding
from bot.knowledge.check_rules import Evidence as Said
from bot.knowledge.check_rules import Stance, Strength
from bot.knowledge.load import Knowledge
from bot.knowledge.records import Snippet

EFFECT_OUTCOMES = frozenset({"pain", "function", "quality-of-life", "opioid-use", "depression"})
EFFECT_FINDINGS = (Finding.BENEFIT, Finding.NO_CLEAR_BENEFIT, Finding.UNCERTAIN)
HARM_FINDINGS = (Finding.HARM, Finding.NO_CLEAR_HARM, Finding.UNCERTAIN)
EFFECT_STANCES = (Stance.BENEFIT, Stance.NO_BENEFIT, Stance.WORSENS, Stance.GAP, Stance.NO_EVIDENCE, Stance.CERTAINTY)
PERCENT = re.compile(r"(\d{1,3}(?:\.\d+)?)\s*(?:%|percent)")
POINTS = re.compile(r"(\d{1,2}(?:\.\d+)?) (?:points?|units?)\b")
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
SUPPORT = 0.6  # share of a claim's (weighted) words a snippet sentence must say


@dataclass(frozen=True)
class Statement:
    snippet: Snippet
    text: str
    index: int  # sentence number in the body (0: the lead)
    claims: tuple[Claim, ...]
    drugs: frozenset[str]  # medicines the sentence names, or carries from the one before ("Its label...")
    stems: frozenset[str]
    numbers: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()  # medicines the sentence itself names (not carried)
    window: frozenset[str] = frozenset()  # its words and the next sentence's: a fact may take two sentences
    poles: frozenset[str] = frozenset()  # which side of each pair of opposite words it uses, if not denied


@dataclass(frozen=True)
class Found:
    """What the evidence says about one claim."""

    said: Said
    certainty: Certainty = Certainty.NOT_GRADED
    snippets: tuple[Snippet, ...] = ()
    statement: Statement | None = None
    named: bool = False
    shares: tuple[float, ...] = ()
    points: tuple[float, ...] = ()
    trials: bool = False  # graded trials exist on this medicine and outcome
    alternatives: tuple[Statement, ...] = ()  # other sentences that say the same (or the same opposite)


class Evidence:
    def __init__(self, knowledge: Knowledge, reader: Reader):
        self.reader = reader
        self.snippets = knowledge.snippets
        self.first_source = {s.id: s.sources[0] for s in self.snippets}
        self.statements: list[Statement] = []
        for snippet in self.snippets:
            self.statements += self._read(snippet)
        counts = Counter(s for st in self.statements for s in st.stems)
        total = len(self.statements)
        self.idf = {s: math.log((total + 1) / (n + 0.5)) for s, n in counts.items()}
        self.by_word: dict[str, list[int]] = {}  # word (or "#approval", "#design") -> statements that use it
        for i, st in enumerate(self.statements):
            for key in st.stems | _markers(st.claims):
                self.by_word.setdefault(key, []).append(i)
        self.snippet_words: dict[str, frozenset[str]] = {}
        for st in self.statements:
            self.snippet_words[st.snippet.id] = self.snippet_words.get(st.snippet.id, frozenset()) | st.stems

    def _read(self, snippet: Snippet) -> list[Statement]:
        out, carried = [], None
        for i, sentence in enumerate(SENTENCE.split(snippet.body.strip())):
            claims, carried = self.reader.read(sentence, carried)
            if sentence.rstrip().endswith("?") or not claims:
                continue  # a question states nothing
            named = claims[0].subject.drugs if claims[0].subject.named else ()
            out.append(Statement(snippet, sentence, i, tuple(claims), frozenset(named),
                                 frozenset(s for c in claims for s in c.stems),
                                 frozenset(n for c in claims for n in c.numbers), self.reader.drugs_in(sentence)))
        return [replace(st, window=st.stems | (out[k + 1].stems if k + 1 < len(out) else frozenset()),
                        poles=self.poles(st.stems) - self.poles_denied(st.claims))
                for k, st in enumerate(out)]

    def poles_denied(self, claims) -> frozenset[str]:
        """Sides of the opposite pairs a sentence denies somewhere ("called agonists, which is wrong"):
        such a sentence cannot be the one that uses the opposite word plainly."""
        sides = set()
        for claim in claims:
            if claim.denied:
                poles = self.poles(claim.stems)
                sides |= poles | {p[:-1] + ("b" if p.endswith("a") else "a") for p in poles}
        return frozenset(sides)

    def poles(self, stems: frozenset[str]) -> frozenset[str]:
        """Which side of each pair of opposite words (claim_rules.yaml opposites) these words use."""
        found = set()
        for k, (a, b) in enumerate(self.reader.opposites):
            has_a, has_b = _has(stems, a), _has(stems, b)
            if has_a != has_b:
                found.add(f"{k}{'a' if has_a else 'b'}")
        return frozenset(found)

    def _near(self, claim: Claim) -> list[Statement]:
        """The statements that share a word with the claim (or speak of approval, or of design)."""
        keys = set(claim.stems) | {x for _, alts in claim.synonyms for x in alts} | _markers((claim,))
        rows = sorted({i for key in keys for i in self.by_word.get(key, ())})
        return [self.statements[i] for i in rows]

    # --- front matter -----------------------------------------------------------------------------
    def findings(self, claim: Claim) -> Found:
        effect = claim.stance in EFFECT_STANCES
        outcomes = (claim.outcomes & EFFECT_OUTCOMES or {"pain"}) if effect else _harm_outcomes(claim)
        wanted = EFFECT_FINDINGS if effect else HARM_FINDINGS
        about = [s for s in self.snippets if s.finding in wanted and _drug_fits(claim, s)
                 and (not outcomes or set(s.outcomes) & outcomes)]
        if effect:
            about = _narrow(about, claim)
        elif claim.subject.route:  # the snippets on this route, else those on no route in particular
            about = [s for s in about if claim.subject.route in s.routes] or [s for s in about if not s.routes]
        named = [s for s in about if self.first_source[s.id] in claim.named]
        trials = any(s.certainty != Certainty.NOT_GRADED for s in about)
        if named:
            about = named
        if not about:
            return Found(Said.NONE, trials=trials)
        findings = {s.finding for s in about}
        if effect:
            benefit = [s for s in about if s.finding == Finding.BENEFIT]
            said = Said.BENEFIT if len(findings) == 1 and benefit else Said.MIXED if benefit else \
                Said.NO_CLEAR_BENEFIT if Finding.NO_CLEAR_BENEFIT in findings else Said.UNCERTAIN
            lead = benefit if claim.stance == Stance.BENEFIT and benefit else about
            shares = tuple(float(p) / 100 for s in benefit for p in PERCENT.findall(s.body))
        else:
            harms = [s for s in about if s.finding == Finding.HARM]
            said = Said.HARM if harms else Said.NO_CLEAR_HARM if Finding.NO_CLEAR_HARM in findings else Said.UNCERTAIN
            lead = harms or about
            shares = tuple(float(p) / 100 for s in harms for p in PERCENT.findall(s.body))
        certainty = max((s.certainty for s in lead), key=lambda c: c.rank)
        ranked = sorted(about, key=lambda s: self._relevance(claim, s, outcomes))
        points = tuple(float(p) for s in about for p in POINTS.findall(s.body))
        return Found(said, certainty, tuple(ranked), named=bool(named), shares=shares, points=points, trials=trials)

    def _relevance(self, claim: Claim, snippet: Snippet, outcomes) -> tuple:
        """Most relevant first: the study named, the condition named (or chronic pain in general),
        the medicine first in its list, the route, the fewest other outcomes, the most words shared."""
        conditions = claim.subject.conditions - {"chronic-pain"} or {"chronic-pain"}
        return (self.first_source[snippet.id] not in claim.named, not conditions & set(snippet.conditions),
                snippet.drugs[0] != claim.drugs[0], bool(claim.subject.route) and claim.subject.route not in snippet.routes,
                -len(set(snippet.outcomes) & set(outcomes or snippet.outcomes)) / max(1, len(snippet.outcomes)),
                -self._overlap(claim, snippet))

    def _overlap(self, claim: Claim, snippet: Snippet) -> float:
        return sum(self.idf.get(s, 0.0) for s in claim.stems & self.snippet_words.get(snippet.id, frozenset()))

    def completion(self, claim: Claim) -> Found:
        """Claims about how many people finished a course, judged by the snippets on completion."""
        about = [s for s in self.snippets if set(claim.outcomes) & set(s.outcomes) and _drug_fits(claim, s)]
        named = [s for s in about if self.first_source[s.id] in claim.named]
        about = named or about
        if not about:
            return Found(Said.NONE)
        shares = tuple(float(p) / 100 for s in about for p in PERCENT.findall(s.body))
        figures = [st for st in self.statements if st.snippet in about and PERCENT.search(st.text)]
        return Found(Said.STATED, Certainty.NOT_GRADED, tuple(about), statement=figures[0] if figures else None,
                     named=bool(named), shares=shares)

    # --- statements -------------------------------------------------------------------------------
    def statement(self, claim: Claim) -> Found:
        """A snippet sentence that says the same as the claim, or the opposite."""
        candidates = [st for st in self._near(claim) if self._fits(claim, st)]
        if claim.named:
            named = [st for st in candidates if self.first_source[st.snippet.id] in claim.named]
            candidates = named or candidates
        # one use denied outweighs another stated ("approved for depression and chronic pain")
        prefer = Said.OPPOSED if "approval" in claim.outcomes and not claim.denied else None
        scored = []
        for st in candidates:
            for said, score in self._compare(claim, st):
                scored.append(((said == prefer, score, self._fit(claim, st)), said, st))  # the closest decides
        if not scored:
            return Found(Said.NONE)
        scored.sort(key=lambda s: s[0], reverse=True)
        _, said, st = scored[0]
        others = tuple(dict.fromkeys(s for _, d, s in scored[1:] if d == said and s is not st))[:3]
        return Found(said, st.snippet.certainty, (st.snippet,), statement=st, alternatives=others,
                     named=self.first_source[st.snippet.id] in claim.named)

    def opposite(self, claim: Claim) -> Found | None:
        """A snippet sentence that uses the opposite word ("blocks" for "activates"), for any claim;
        of several, the one that names the medicine and fits the claim best."""
        poles = self.poles(claim.stems)
        if not poles:
            return None
        mirrored = {p[:-1] + ("b" if p.endswith("a") else "a") for p in poles}
        found = [st for st in self._near(claim) if st.poles & mirrored and not st.poles & poles
                 and claim.stems & st.stems and self._fits(claim, st)]
        if not found:
            return None
        found.sort(key=lambda s: (bool(s.names & set(claim.drugs)), self._fit(claim, s)), reverse=True)
        st = found[0]
        return Found(Said.OPPOSED, st.snippet.certainty, (st.snippet,), statement=st, alternatives=tuple(found[1:4]))

    def _fits(self, claim: Claim, st: Statement) -> bool:
        drugs = set(claim.drugs)
        if st.drugs and not st.drugs & drugs:
            return False  # about another medicine: it can neither confirm nor contradict
        return not st.snippet.drugs or bool(set(st.snippet.drugs) & drugs)

    def _compare(self, claim: Claim, st: Statement):
        """(said, score) pairs for how this sentence speaks to the claim."""
        if "approval" in claim.outcomes:
            for theirs in st.claims:
                if "approval" in theirs.outcomes:
                    yield from self._approval(claim, theirs)
            return
        if claim.concepts:  # "the study had no comparison group" against "was placebo-controlled"
            mine = {c.lstrip("!") for c in claim.concepts}
            for theirs in st.claims:
                if mine & {c.lstrip("!") for c in theirs.concepts} and (claim.named or claim.stems & theirs.stems):
                    yield (Said.STATED if claim.concepts & theirs.concepts else Said.OPPOSED), 1.0
            return
        if claim.numbers and not _same_figures(claim.numbers, st.numbers):
            return  # "only one infusion": a sentence that does not give the same figure neither says nor denies it
        if claim.numbers and claim.named and self.first_source[st.snippet.id] in claim.named:
            yield Said.STATED, SUPPORT  # "more than 1,000 adults in the Cleveland Clinic study": its own figure
            return
        shared, score = self._coverage(claim, st.stems)
        if score >= SUPPORT and len(shared) >= min(2, len(claim.stems)):
            denied = bool(shared & claim.negated)
            theirs_denied = bool(shared & frozenset(s for c in st.claims for s in c.negated))
            if denied == theirs_denied:
                yield Said.STATED, score
            elif claim.strength == Strength.FIRM and not any(c.stance in (Stance.GAP, Stance.NO_EVIDENCE)
                                                             for c in st.claims):
                yield Said.OPPOSED, score  # a plain statement denied by a plain statement, not by "cannot show"
            return
        shared, score = self._coverage(claim, st.window)  # said across this sentence and the next
        if score >= SUPPORT and len(shared) >= min(2, len(claim.stems)) and not shared & claim.negated \
                and not any(shared & c.negated for c in st.claims):
            yield Said.STATED, score * 0.9

    def _approval(self, claim: Claim, theirs: Claim):
        mine_use, their_use = claim.use - GENERIC_USE, theirs.use - GENERIC_USE
        if claim.subject.conditions and not mine_use:
            mine_use = frozenset({"pain"})  # "approved for this use" (CRPS): a kind of chronic pain
        if not mine_use and ANY_USE in claim.use and claim.denied:  # "not approved for any condition"
            if not theirs.denied and their_use:
                yield Said.OPPOSED, 1.0
            return
        if mine_use:
            if mine_use & their_use:
                yield (Said.STATED if claim.denied == theirs.denied else Said.OPPOSED), 1.0
            elif theirs.exclusive and their_use and not theirs.denied and not claim.denied:
                yield Said.OPPOSED, 0.9  # "approved only for depression" against "approved for pain"
            return
        # "compounded nasal spray is approved": judged by sentences about that product, or any approval
        if claim.qualifiers and claim.qualifiers & theirs.stems:
            yield (Said.STATED if claim.denied == theirs.denied else Said.OPPOSED), 1.0
        elif not claim.qualifiers and not theirs.denied and not theirs.qualifiers:
            yield (Said.OPPOSED if claim.denied else Said.STATED), 0.8

    def _fit(self, claim: Claim, st: Statement) -> float:
        """How much of the sentence is about what the claim says (a short sentence that says just it
        fits better than a long one that mentions it in passing)."""
        total = sum(self.idf.get(s, 3.0) for s in st.stems)
        return sum(self.idf.get(s, 3.0) for s in st.stems & claim.stems) / total if total else 0.0

    def _coverage(self, claim: Claim, stems: frozenset[str]) -> tuple[frozenset[str], float]:
        """The claim's words the sentence says (a lay word counts when its clinical word is there),
        and their share of the claim's words, each weighted by how rare it is in the snippets."""
        mine = claim.stems - set(self.reader.named_stems(claim))
        if not mine:
            return frozenset(), 0.0
        synonyms = dict(claim.synonyms)
        shared = frozenset(s for s in mine if s in stems or synonyms.get(s, frozenset()) & stems)
        weight = {s: self.idf.get(s) or max((self.idf.get(x, 3.0) for x in synonyms.get(s, ())), default=3.0)
                  for s in mine}
        return shared, sum(weight[s] for s in shared) / sum(weight.values())

def _same_figures(mine: frozenset[str], theirs: frozenset[str]) -> bool:
    """Every figure of the claim is one the sentence gives, give or take a tenth ("over 1,000" for 1,034)."""
    return all(any(abs(float(a) - float(b)) <= 0.1 * max(float(b), 1.0) for b in theirs) for a in mine)


def _markers(claims) -> set[str]:
    found = set()
    for c in claims:
        if "approval" in c.outcomes:
            found.add("#approval")
        if c.concepts:
            found.add("#design")
    return found


def _has(stems: frozenset[str], prefix: str) -> bool:
    return any(s.startswith(prefix) for s in stems)


def _drug_fits(claim: Claim, snippet: Snippet) -> bool:
    return bool(set(snippet.drugs) & set(claim.drugs))


def _harm_outcomes(claim: Claim) -> set[str]:
    specific = set(claim.outcomes) - {"side-effects", "approval", "completion"}
    if claim.stance == Stance.SAFE or not claim.outcomes:
        return set()  # any harm
    return specific or {"side-effects", "mental-effects"}


def _narrow(about: list[Snippet], claim: Claim) -> list[Snippet]:
    """The snippets on the claim's route and condition, where it names them."""
    route = claim.subject.route
    if route:
        about = [s for s in about if route in s.routes]  # a snippet on no route in particular says nothing of this one
    conditions = claim.subject.conditions - {"chronic-pain"}
    if conditions:
        exact = [s for s in about if conditions & set(s.conditions)]
        about = exact or [s for s in about if "chronic-pain" in s.conditions]
    return about
