"""Snippet sentences as statements: each read once with the claim rules, indexed by its words, and
matched against a claim of fact. A claim is supported when a sentence about the same medicine says
its words the same way (most of its weighted words, the same figures, the same polarity, or the same
approved use); it is contradicted when a sentence says them the other way round: denied, approved
only for something else, or with an opposite word ("blocks" for "activates")."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field, replace

from bot.check.reading import ANY_USE, GENERIC_USE, Claim, Reader
from bot.enums import Certainty
from bot.knowledge.check_rules import Evidence as Said
from bot.knowledge.check_rules import Stance, Strength
from bot.knowledge.records import Snippet
from bot.text import STOPWORDS

SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])")
SUPPORT = 0.6  # share of a claim's (weighted) words a snippet sentence must say
POLE_REACH = 3  # content words either side of an opposite word that say what it is said of


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
    beside_poles: dict[str, frozenset[str]] = field(default_factory=dict, compare=False)  # pole -> words near it


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


class Statements:
    def __init__(self, snippets: tuple[Snippet, ...], reader: Reader):
        self.reader = reader
        self.first_source = {s.id: s.sources[0] for s in snippets}
        self.statements: list[Statement] = []
        for snippet in snippets:
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
                        poles=self.poles(st.stems) - self.poles_denied(st.claims), beside_poles=self.beside_poles(st.text))
                for k, st in enumerate(out)]

    def poles_denied(self, claims) -> frozenset[str]:
        """Sides of the opposite pairs a sentence denies somewhere ("called agonists, which is wrong"):
        such a sentence cannot be the one that uses the opposite word plainly."""
        sides = set()
        for claim in claims:
            if claim.denied:
                poles = self.poles(claim.stems)
                sides |= poles | {_mirror(p) for p in poles}
        return frozenset(sides)

    def poles(self, stems: frozenset[str]) -> frozenset[str]:
        """Which side of each pair of opposite words (claim_rules.yaml opposites) these words use."""
        found = set()
        for k, (a, b) in enumerate(self.reader.opposites):
            has_a, has_b = _has(stems, a), _has(stems, b)
            if has_a != has_b:
                found.add(f"{k}{'a' if has_a else 'b'}")
        return frozenset(found)

    def beside_poles(self, text: str) -> dict[str, frozenset[str]]:
        """For each side of an opposite pair the text uses, the content words within `POLE_REACH` of it:
        what the word is said of ("blocks NMDA receptors", "an NMDA receptor antagonist")."""
        tokens = [t for t in self.reader.context.tokenize(text) if t.text[:1].isalpha() and t.text not in STOPWORDS]
        found: dict[str, set[str]] = {}
        for k, pair in enumerate(self.reader.opposites):
            for side, prefix in zip("ab", pair, strict=True):
                for i, token in enumerate(tokens):
                    if token.stem.startswith(prefix):
                        near = tokens[max(0, i - POLE_REACH):i] + tokens[i + 1:i + 1 + POLE_REACH]
                        found.setdefault(f"{k}{side}", set()).update(
                            t.stem for t in near if not any(t.stem.startswith(p) for p in pair))
        return {pole: frozenset(stems) for pole, stems in found.items()}

    def near(self, claim: Claim) -> list[Statement]:
        """The statements that share a word with the claim (or speak of approval, or of design)."""
        keys = set(claim.stems) | {x for _, alts in claim.synonyms for x in alts} | _markers((claim,))
        rows = sorted({i for key in keys for i in self.by_word.get(key, ())})
        return [self.statements[i] for i in rows]

    def statement(self, claim: Claim) -> Found:
        """A snippet sentence that says the same as the claim, or the opposite."""
        candidates = [st for st in self.near(claim) if self._fits(claim, st)]
        if claim.named:
            named = [st for st in candidates if self.first_source[st.snippet.id] in claim.named]
            candidates = named or candidates
        # one use denied outweighs another stated ("approved for depression and chronic pain")
        prefer = Said.OPPOSED if "approval" in claim.outcomes and not claim.denied else None
        scored = []
        for st in candidates:
            for said, score in self._compare(claim, st):
                if said == Said.OPPOSED and not _about_subject(claim, st):
                    continue  # "Spravato, a ketamine-derived spray, is approved": Ketalar's approval cannot deny it
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
        mirrored = {_mirror(p) for p in poles}
        # the opposite word must be said of the same thing: a word beside it in the claim is beside the
        # opposite word in the sentence ("raises the risk" is not denied by "lowered pain")
        beside = self.beside_poles(claim.text)
        drugs = {stem for drug in claim.drugs for stem in self.reader.context.tokenize(drug)}
        found = [st for st in self.near(claim) if st.poles & mirrored and not st.poles & poles
                 and any((beside.get(p, frozenset()) & st.beside_poles.get(_mirror(p), frozenset())) - drugs
                         for p in poles)
                 and self._fits(claim, st) and _about_subject(claim, st)]
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
            if self._other_figure(claim, st):
                yield Said.OPPOSED, SUPPORT  # "tested in 12 trials" where the sentence gives 39 trials
            return  # "only one infusion": a sentence that does not give the same figure neither says nor denies it
        if claim.numbers and claim.named and self.first_source[st.snippet.id] in claim.named:
            yield Said.STATED, SUPPORT  # "more than 1,000 adults in the Cleveland Clinic study": its own figure
            return
        for theirs in st.claims:  # the clause of the sentence that says the claim's words decides their polarity
            shared, score = self._coverage(claim, theirs.stems)
            if score < SUPPORT or len(shared) < min(2, len(claim.stems)):
                continue
            denied, theirs_denied = bool(shared & claim.negated), bool(shared & theirs.negated)
            if denied == theirs_denied:
                yield Said.STATED, score
            elif claim.strength == Strength.FIRM and theirs.stance not in (Stance.GAP, Stance.NO_EVIDENCE):
                yield Said.OPPOSED, score  # a plain statement denied by a plain statement, not by "cannot show"
            return
        shared, score = self._coverage(claim, st.window)  # said across this sentence and the next
        if score >= SUPPORT and len(shared) >= min(2, len(claim.stems)) and not shared & claim.negated \
                and not any(shared & c.negated for c in st.claims):
            yield Said.STATED, score * 0.9

    def _other_figure(self, claim: Claim, st: Statement) -> bool:
        """The sentence gives another figure for the same thing: beside the same word, in a clause that
        says most of the claim's other words ("Schedule II" against "Schedule III")."""
        if claim.strength != Strength.FIRM:
            return False
        for theirs in st.claims:
            shared, score = self._coverage(claim, theirs.stems)
            for value, beside in claim.figures:
                others = [v for v, words in theirs.figures if words & beside]
                if score >= SUPPORT and shared - beside and others and \
                        not any(abs(value - v) <= 0.1 * max(v, 1.0) for v in others):
                    return True
        return False

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


def _mirror(pole: str) -> str:
    """The other side of the same opposite pair ("0a" -> "0b")."""
    return pole[:-1] + ("b" if pole.endswith("a") else "a")


def _about_subject(claim: Claim, st: Statement) -> bool:
    """The sentence is about the claim's subject: the medicine the claim names first (a sentence can
    only say the opposite of a claim about the same medicine, not about one it mentions in passing)."""
    subject = claim.drugs[0] if claim.drugs else None
    if subject is None:
        return True
    if st.drugs:
        return subject in st.drugs
    return not st.snippet.drugs or subject in st.snippet.drugs


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
