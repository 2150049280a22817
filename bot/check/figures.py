"""Figures in a claim: the share of patients it claims ("80%", "1 in 10", "most"), an effect size in
points, and the other figures a statement of fact gives ("39 trials", "Schedule III"), each with
the words beside it."""

from __future__ import annotations

import re

from bot.check.context import Clause, Lexicon, Tagged, stem
from bot.text import STOPWORDS

NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "twenty": 20, "hundred": 100}
NOT_PEOPLE = frozenset(stem(w) for w in "minute hour day week month year time session infusion drip dose trial study "
                       "review drug treatment medicine kind type way case".split())
ONE_OF_MANY = frozenset(stem(w) for w in "study trial review way case kind type reason thing".split())  # "one study"
YEAR = re.compile(r"^(19[5-9]\d|20[0-4]\d)$")
# A percentage followed by one of these is a statistic's level ("95% CI", "95% confidence interval"), not
# a share of patients.
STATISTIC_LEVEL = frozenset({"ci", "cis", "confidence", "credible", "prediction", "uncertainty"})


def claimed_share(tagged: Tagged, quantities: Lexicon) -> float | None:
    """The share of patients claimed: "80%", "1 in 10", "three out of four", or words like "most"."""
    words = [str(NUMBER_WORDS.get(t.text, t.text)) for t in tagged.tokens]
    for i, word in enumerate(words):
        if not _number(word):
            continue
        rest = words[i + 1:i + 4]
        percent = 1 if rest[:1] in (["%"], ["percent"]) else 2 if rest[:2] == ["per", "cent"] else 0
        if percent and rest[percent:percent + 1] and rest[percent] in STATISTIC_LEVEL:
            continue
        if percent:
            return min(1.0, float(word) / 100)
        total = rest[1] if rest[:1] == ["in"] and len(rest) > 1 else \
            rest[2] if rest[:2] == ["out", "of"] and len(rest) > 2 else ""
        if _number(total) and 0 < float(word) <= float(total) <= 1000:
            return float(word) / float(total)
    taken = {j for c in tagged.clauses for m in c.modifiers for j in range(m.start, m.end)}
    found = [m for m in quantities.find(tagged.tokens, taken)  # "a few weeks" is no share of people,
             if (m.end >= len(tagged.tokens) or tagged.tokens[m.end].stem not in NOT_PEOPLE)  # "not for
             and m.start not in tagged.negated]  # everyone" no claim about everyone
    return max((m.rule.share for m in found), default=None)


def numbers(tagged: Tagged, clause: Clause) -> frozenset[str]:
    """Figures in a clause, as digits ("one infusion" -> 1); not shares ("1 in 10", "80%"), "one study"
    or years."""
    return frozenset(str(value) for value, _ in figures(tagged, clause))


def figures(tagged: Tagged, clause: Clause) -> tuple[tuple[float, frozenset[str]], ...]:
    """The clause's figures with the content words right beside them ("39 trials", "Schedule III")."""
    tokens, found = tagged.tokens, []
    for i in range(clause.start, clause.end):
        word = str(NUMBER_WORDS.get(tokens[i].text, tokens[i].text))
        after = [t.text for t in tokens[i + 1:i + 3]]
        ratio = after[:1] in (["in"], ["of"], ["out"]) and len(after) > 1 and not YEAR.match(after[1]) and \
            (_number(str(NUMBER_WORDS.get(after[1], after[1]))) or after[1] == "of")
        one_of_many = tokens[i].text == "one" and tokens[i + 1:i + 2] and tokens[i + 1].stem in ONE_OF_MANY
        if not _number(word) or YEAR.match(word) or ratio or after[:1] in (["%"], ["percent"]) or one_of_many:
            continue
        beside = {t.stem for t in (tokens[i - 1:i] if i > clause.start else ()) + tokens[i + 1:i + 2]
                  if t.text[0].isalpha() and t.text not in STOPWORDS}
        found.append((float(word), frozenset(beside)))
    return tuple(found)


def _number(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return True


def points_claimed(tagged: Tagged) -> float | None:
    tokens = tagged.tokens
    for i, token in enumerate(tokens[:-1]):
        if token.text[:1].isdigit() and tokens[i + 1].stem in ("point", "unit"):
            try:
                return float(token.text)
            except ValueError:
                return None
    return None
