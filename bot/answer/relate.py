"""How two snippets relate, read from their front matter only: whether one is about the same drug
and question as another, whether their findings point opposite ways on the same question of
benefit or harm, and why two such studies may differ.

No snippet id, drug or condition is named here: every decision reads `drugs`, `outcomes`,
`conditions`, `finding`, the topic folder and the sources' designs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.enums import TRIAL_DESIGNS, Design, Finding
from bot.knowledge.load import Knowledge, Snippet
from bot.knowledge.vocabulary import Vocabulary
from bot.text import fold

# One question of benefit or harm, answered both ways: a finding and the finding that points the
# other way. "uncertain" and "info" point no way, so they never make a disagreement.
OPPOSITE = {
    Finding.BENEFIT: Finding.NO_CLEAR_BENEFIT,
    Finding.NO_CLEAR_BENEFIT: Finding.BENEFIT,
    Finding.HARM: Finding.NO_CLEAR_HARM,
    Finding.NO_CLEAR_HARM: Finding.HARM,
}


def _meet(a: Iterable[str], b: Iterable[str]) -> bool:
    return bool(set(a) & set(b))


def same_drug(a: Snippet, b: Snippet) -> bool:
    """They share a medicine, or neither is about one (the chatbot, how to read studies)."""
    return _meet(a.drugs, b.drugs) or (not a.drugs and not b.drugs)


def conditions_fit(a: Snippet, b: Snippet) -> bool:
    """They share a condition, or one of them is not about a particular condition."""
    return not a.conditions or not b.conditions or _meet(a.conditions, b.conditions)


def same_outcome(a: Snippet, b: Snippet) -> bool:
    """A shared outcome, or, when neither names an outcome, the same topic folder."""
    if a.outcomes or b.outcomes:
        return _meet(a.outcomes, b.outcomes)
    return a.topic == b.topic


def same_question(a: Snippet, b: Snippet) -> bool:
    """They answer the same question: the same outcome, and conditions that fit."""
    return same_outcome(a, b) and conditions_fit(a, b)


def about(snippet: Snippet, drugs: Iterable[str]) -> bool:
    """The snippet is about one of these medicines, or about none in particular."""
    return not snippet.drugs or _meet(snippet.drugs, drugs)


def on_topic(support: Snippet, lead: Snippet, asked: Iterable[str] = ()) -> bool:
    """A supporting snippet is shown only when it is about the lead's drug and question. `asked`:
    the medicines the question names; when the lead is about several, the support must be about
    one of those the question asked about ("ketamine for migraine" is not answered by magnesium)."""
    focus = set(lead.drugs) & set(asked)
    if focus and not set(support.drugs) & focus:
        return False
    return same_drug(support, lead) and same_question(support, lead)


class DrugNames:
    """The medicines a text names, as vocabulary ids, by the names in knowledge/vocabulary.yaml."""

    def __init__(self, vocabulary: Vocabulary):
        self.patterns = tuple((f.id, re.compile(r"\b(?:" + "|".join(re.escape(n) for n in f.names) + r")\b"))
                              for f in vocabulary.drugs if f.names)

    def __call__(self, text: str) -> frozenset[str]:
        folded = fold(text)
        return frozenset(drug for drug, pattern in self.patterns if pattern.search(folded))


def opposed(a: Snippet, b: Snippet) -> bool:
    """Findings on the same question of benefit or harm that point opposite ways: the same drug,
    a shared outcome, fitting conditions, and one finding the opposite of the other."""
    return (OPPOSITE.get(a.finding) == b.finding and _meet(a.drugs, b.drugs)
            and _meet(a.outcomes, b.outcomes) and conditions_fit(a, b))


def why_they_differ(a: Snippet, b: Snippet, knowledge: Knowledge) -> str:
    """The key of the fixed "Studies disagree" explanation for two opposed snippets, from the designs
    of their sources: trials or reviews against studies with no comparison group; reviews or trials
    on both sides; anything else."""
    def designs(s: Snippet) -> set[str]:
        return {knowledge.source(x).design for x in s.sources}
    da, db = designs(a), designs(b)
    trials_a, trials_b = bool(da & TRIAL_DESIGNS), bool(db & TRIAL_DESIGNS)
    observed_a, observed_b = Design.OBSERVATIONAL in da, Design.OBSERVATIONAL in db
    if (observed_a and trials_b and not trials_a) or (observed_b and trials_a and not trials_b):
        return "trial_vs_observational"
    if trials_a and trials_b:
        return "reviews_differ"
    return "other"
