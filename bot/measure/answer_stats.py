"""What the shown answers look like on a question set: length, reading grade, topic drift, notes.

- words: the plain words of the JSON `answer` text (everything it holds: any fixed intro, the lead,
  the key points; Markdown and citation marks left out), median over evidence answers (kind
  `answer` or `personal_advice` with at least one snippet) and over every reply.
- grade: Flesch-Kincaid reading grade of the same text (textstat, as `python -m bot lint` reads
  snippet bodies), median over evidence answers.
- off_topic: evidence answers with a supporting snippet on another drug or another question than
  the lead. "Topic" is read from front matter only: a supporting snippet is on the lead's topic when
  their `drugs` sets share a medicine (or both name none) and their `outcomes` sets share an
  outcome (or both name none).
- disagreements: answers carrying a "Studies disagree" note, with the snippets behind it.
- lead_at_1: answerable cases whose shown lead snippet is one of the expected ones (the lead the
  reader sees, after composition), over all such cases and over follow-ups (cases with history).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from bot.answer.compose import Answer
from bot.answer.render import CITE_MARK
from bot.knowledge.lint import plain_text, reading_grade
from bot.knowledge.load import Snippet

EVIDENCE_KINDS = ("answer", "personal_advice")


def answer_words(markdown: str) -> str:
    """The plain text of an answer's Markdown: no citation marks, no markup."""
    return " ".join(plain_text(CITE_MARK.sub("", markdown)).split())


def on_topic(support: Snippet, lead: Snippet) -> bool:
    """Same medicine and same question, read from front matter (see the module docstring)."""
    def shared(a: Sequence[str], b: Sequence[str]) -> bool:
        return bool(set(a) & set(b)) or (not a and not b)
    return shared(support.drugs, lead.drugs) and shared(support.outcomes, lead.outcomes)


def measure(cases: Sequence, answers: Sequence[Answer]) -> dict:
    """Figures for answers[i] given to cases[i] (cases: anything with question, expected, kind, history)."""
    all_words, words, grades = [], [], []
    off_topic, disagreements = [], []
    leads, follow_up_leads = [], []
    for case, answer in zip(cases, answers, strict=True):
        text = answer_words(answer.markdown)
        all_words.append(len(text.split()))
        if answer.kind not in EVIDENCE_KINDS or not answer.parts:
            continue
        words.append(len(text.split()))
        grades.append(reading_grade(text))
        lead = answer.parts[0].snippet
        strays = [p.snippet.id for p in answer.parts[1:] if not on_topic(p.snippet, lead)]
        if strays:
            off_topic.append({"question": case.question, "lead": lead.id, "off_topic": strays})
        if answer.disagreement:
            disagreements.append({"question": case.question, "snippets": [p.snippet.id for p in answer.parts],
                                  "note": answer.disagreement})
        if case.expected and case.kind in EVIDENCE_KINDS:
            hit = lead.id in case.expected
            leads.append(hit)
            if case.history:
                follow_up_leads.append(hit)
    return {
        "answer_words_median": _median(words),
        "answer_words_median_all_replies": _median(all_words),
        "answer_words_max": max(words, default=None),
        "answer_grade_median": round(statistics.median(grades), 2) if grades else None,
        "evidence_answers": len(words),
        "off_topic_answers": len(off_topic),
        "disagreement_notes": len(disagreements),
        "lead_at_1": _share(leads),
        "lead_at_1_follow_ups": _share(follow_up_leads),
        "off_topic": off_topic,
        "disagreements": disagreements,
    }


def report(stats: dict, worst: int = 5) -> list[str]:
    """Lines for `python -m bot eval`."""
    keys = ("answer_words_median", "answer_words_median_all_replies", "answer_words_max",
            "answer_grade_median", "evidence_answers", "off_topic_answers", "disagreement_notes",
            "lead_at_1", "lead_at_1_follow_ups")
    lines = ["", "shown answers:"] + [f"{k:<32} {stats[k] if stats[k] is not None else '-'}" for k in keys]
    for row in stats["off_topic"][:worst]:
        lines.append(f"- off topic: {row['question']!r}: lead {row['lead']}, also {', '.join(row['off_topic'])}")
    for row in stats["disagreements"][:worst]:
        lines.append(f"- disagree: {row['question']!r}: {', '.join(row['snippets'])}")
    return lines


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def _share(flags: list[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None
