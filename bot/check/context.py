"""A compact ConText: token-based scopes for the rules of knowledge/claim_rules.yaml.

A sentence becomes tokens (folded, contractions opened, British spellings mapped, Snowball stems).
Concepts (ConText's targets: a benefit, a harm, the evidence) and modifiers (negation, hedges,
boosters, minimisers...) are found as literal token sequences, longest first, compared by stem (a
literal written "=word" must match exactly). A modifier acts on the concepts inside its scope:
forward, backward or both, at most `max_scope` tokens, and never past a terminator ("but") or a
sentence mark. Pseudo-cues ("not only", "no doubt") take their words out of play.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import Stemmer

from bot.knowledge.check_rules import ClaimRulesFile, Concept, Cue, Direction, Modifier, Target
from bot.text import fold, normalize

_STEMMER = Stemmer.Stemmer("english")
_TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?|[a-z]+|[%$;:()!?.,]")
BREAKS = frozenset(";:()!?.,")  # scopes stop at these marks
_CONTRACTIONS = ((re.compile(r"\bcan'?t\b|\bcannot\b"), "can not"), (re.compile(r"\bwon't\b"), "will not"),
                 (re.compile(r"\b(do|does|did|is|are|was|were|has|have|had|could|would|should|must|need|ai)n'?t\b"),
                  r"\1 not"), (re.compile(r"\b(it|that|there|what|who)'s\b"), r"\1 is"), (re.compile(r"'s\b|'"), " "))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _STEMMER.stemWord(word)


@dataclass(frozen=True)
class Token:
    text: str
    stem: str


@dataclass(frozen=True)
class Match:
    rule: Modifier | Target
    start: int
    end: int  # exclusive


@dataclass
class Mention:
    """A concept in the sentence, with the modifiers whose scope reaches it."""

    target: Target
    start: int
    end: int
    text: str = ""
    cues: dict[Cue, list[Modifier]] = field(default_factory=dict)
    subordinate: bool = False  # inside "who...", "whose..." clauses: it describes, it does not claim
    pain_after: bool = False  # "pain" follows it in the clause ("relieves nerve pain")

    @property
    def category(self) -> Concept:
        return self.target.category

    def has(self, cue: Cue) -> bool:
        return cue in self.cues

    def rules(self, cue: Cue) -> list[Modifier]:
        return self.cues.get(cue, [])


@dataclass(frozen=True)
class Clause:
    start: int
    end: int
    mentions: tuple[Mention, ...]
    modifiers: tuple[Match, ...]


@dataclass(frozen=True)
class Tagged:
    tokens: tuple[Token, ...]
    clauses: tuple[Clause, ...]
    negated: frozenset[int] = frozenset()  # tokens inside a negation's scope
    subordinate: frozenset[int] = frozenset()  # tokens of "who...", "which..." clauses

    def words(self, start: int = 0, end: int | None = None) -> list[str]:
        return [t.text for t in self.tokens[start:end]]


class Tokenizer:
    def __init__(self, spelling: list[tuple[re.Pattern, str]]):
        self.spelling = spelling

    def __call__(self, text: str) -> tuple[Token, ...]:
        folded = fold(normalize(text)).replace("\u2019", "'")
        for pattern, replacement in _CONTRACTIONS:
            folded = pattern.sub(replacement, folded)
        return tuple(Token(w, stem(w)) for w in (self._spell(t.replace(",", "")) if t[0].isdigit() else self._spell(t)
                                                  for t in _TOKEN.findall(folded)) if w)

    @lru_cache(maxsize=16384)  # noqa: B019 - one tokenizer per loaded knowledge, kept for the process
    def _spell(self, word: str) -> str:
        for pattern, replacement in self.spelling:
            word = pattern.sub(replacement, word)
        return word


class Lexicon:
    """Literal token sequences of a set of rules, looked up by their first word's stem."""

    def __init__(self, rules, tokenize: Tokenizer):
        self.first: dict[str, list[tuple[tuple[str, ...], object]]] = defaultdict(list)
        for rule in rules:
            for literal in rule.literals:
                words = _literal(literal, tokenize)
                if words and words[0] != "*":
                    self.first[words[0].lstrip("=")].append((words, rule))
        for entries in self.first.values():
            entries.sort(key=lambda e: -len(e[0]))

    def find(self, tokens: tuple[Token, ...], taken: set[int] | None = None) -> list[Match]:
        """Longest matches left to right; every rule with that same literal length matches there."""
        found, i, n = [], 0, len(tokens)
        while i < n:
            length = 0
            token = tokens[i]
            entries = self.first.get(token.stem, [])
            if token.text != token.stem and token.text in self.first:
                entries = sorted(entries + self.first[token.text], key=lambda e: -len(e[0]))
            for words, rule in entries:
                end = i + len(words)
                if len(words) < length:
                    break
                if end <= n and all(_same(w, tokens[i + k]) for k, w in enumerate(words)) and \
                        not (taken and any(j in taken for j in range(i, end))):
                    length = len(words)
                    if not any(m.rule is rule and m.start == i for m in found):
                        found.append(Match(rule, i, end))
            i += length or 1
        return found


def _literal(literal: str, tokenize: Tokenizer) -> tuple[str, ...]:
    """A rule literal as stems to match ("=word": exactly this word; "*": any one word)."""
    words: list[str] = []
    for part in literal.split():
        if part == "*":
            words.append("*")
        elif part.startswith("=") and len(part) > 1:
            words += ["=" + t.text for t in tokenize(part[1:])]
        else:
            words += [t.stem for t in tokenize(part)]
    return tuple(words)


def _same(word: str, token: Token) -> bool:
    if word.startswith("="):
        return token.text == word[1:]
    return word == "*" or token.stem == word


class Context:
    """Applies the modifier rules to the concepts of a sentence."""

    def __init__(self, rules: ClaimRulesFile):
        self.tokenize = Tokenizer([(re.compile(s.pattern), s.replace) for s in rules.spelling])
        self.modifiers = Lexicon(rules.modifiers, self.tokenize)
        self.targets = Lexicon(rules.targets, self.tokenize)

    def tag(self, text: str) -> Tagged:
        return self.tag_tokens(self.tokenize(text))

    def tag_tokens(self, tokens: tuple[Token, ...]) -> Tagged:
        modifiers = self.modifiers.find(tokens)
        taken = {j for m in modifiers if m.rule.category in (Cue.PSEUDO, Cue.TERMINATE) for j in range(m.start, m.end)}
        mentions = [Mention(m.rule, m.start, m.end, " ".join(t.text for t in tokens[m.start:m.end]))
                    for m in self.targets.find(tokens, taken)]
        stops = sorted({m.start for m in modifiers if m.rule.category == Cue.TERMINATE} |
                       {i for i, t in enumerate(tokens) if t.text in BREAKS})
        hard = [s for s in stops if tokens[s].text != ","]
        negated: set[int] = set()
        subordinate: set[int] = set()
        for mod in modifiers:
            rule = mod.rule
            if rule.category in (Cue.PSEUDO, Cue.TERMINATE):
                continue
            low, high = _scope(mod, hard if rule.commas else stops, len(tokens))
            if rule.category == Cue.NEGATION:
                negated.update(j for j in range(low, high) if not mod.start <= j < mod.end)
            elif rule.category == Cue.SUBORDINATE:
                subordinate.update(range(mod.start, high))
            for mention in mentions:
                if rule.applies_to and mention.category not in rule.applies_to:
                    continue
                if mention.start < high and mention.end > low:
                    if rule.category == Cue.SUBORDINATE:
                        mention.subordinate = True
                    else:
                        mention.cues.setdefault(rule.category, []).append(rule)
        clauses = _clauses(tokens, modifiers, mentions)
        for clause in clauses:
            for mention in clause.mentions:
                mention.pain_after = any(tokens[j].text == "pain" for j in range(mention.end, clause.end))
        return Tagged(tokens, clauses, frozenset(negated), frozenset(subordinate))


def _scope(mod: Match, stops: list[int], n: int) -> tuple[int, int]:
    rule = mod.rule
    low, high = mod.start, mod.end
    if rule.direction in (Direction.FORWARD, Direction.BOTH):
        limit = next((s for s in stops if s >= mod.end), n)
        high = min(mod.end + rule.max_scope, limit)
    if rule.direction in (Direction.BACKWARD, Direction.BOTH):
        limit = max((s + 1 for s in stops if s < mod.start), default=0)
        low = max(mod.start - rule.max_scope, limit)
    return low, high


def _clauses(tokens, modifiers: list[Match], mentions: list[Mention]) -> tuple[Clause, ...]:
    cuts = sorted({m.start for m in modifiers if m.rule.category == Cue.TERMINATE and m.rule.clause} |
                  {i for i, t in enumerate(tokens) if t.text in (";", ":")})
    bounds, start = [], 0
    for cut in cuts:
        if cut > start:
            bounds.append((start, cut))
        start = cut
    bounds.append((start, len(tokens)))
    return tuple(Clause(a, b, tuple(m for m in mentions if a <= m.start < b),
                        tuple(m for m in modifiers if a <= m.start < b)) for a, b in bounds if b > a)
