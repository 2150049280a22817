"""How an answer and a check result read in a terminal (`python -m bot ask`, `python -m bot check`)."""

from __future__ import annotations


def format_answer(answer) -> str:
    lines = [f"[{answer.kind}] understood as: {answer.understood_as}", "", answer.markdown]
    for contact in answer.contacts:
        lines.append(f"  * {contact.label}")
    lines += [""] + [f"> {c}" for c in answer.caveats]
    if answer.citations:
        lines.append("\nSources:")
        lines += [f"[{c.n}] {c.source.title} ({c.source.year}; {c.described}) {c.source.url}" for c in answer.citations]
    if answer.suggestions:
        lines.append("\nYou could also ask: " + " | ".join(answer.suggestions))
    return "\n".join(lines)


def format_check(result) -> str:
    lines = [f"verdict: {result.verdict}  (reading grade {result.reading_grade})", result.explanation]
    if len(result.claims) > 1:
        lines += [f"  - [{c.verdict}] {c.claim}" for c in result.claims]
    if result.suggested_phrasing:
        lines += ["", "suggested: " + result.suggested_phrasing]
    if result.jargon:
        lines.append("jargon: " + "; ".join(f"{t} -> {p}" for t, p in result.jargon))
    if result.citations:
        lines += [f"[{c.n}] {c.source.title} ({c.source.year}) {c.source.url}" for c in result.citations]
    return "\n".join(lines)
