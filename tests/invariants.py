"""What every answer must satisfy, whatever the question (used by unit and integration tests)."""

import re

from bot.answer.compose import overall_certainty
from bot.answer.render import CITE_MARK

UNSAFE_HTML = re.compile(r"<\s*(script|iframe|object|embed|style|img|svg)|\son\w+\s*=|javascript:|data:", re.I)


def fixed_texts(messages, locale="us"):
    texts = {" ".join(messages["no_evidence"].split()), messages["kiosk_staff"]}
    for kind in messages["safety"]:
        texts.add(messages.safety_text(kind, locale))
    return texts


def check_answer(answer, knowledge, messages, locale="us"):
    data = answer.to_json()
    # Every citation maps to a registry source, numbered 1..N in order.
    assert [c["n"] for c in data["citations"]] == list(range(1, len(data["citations"]) + 1))
    for c in data["citations"]:
        source = knowledge.source(c["source_id"])
        assert (c["title"], c["url"], c["doi"], c["year"], c["design"]) == \
            (source.title, source.url, source.doi, source.year, source.design)
    # Every citation marker points at a listed citation, and each snippet's sources are cited.
    numbers = {c["n"] for c in data["citations"]}
    assert {int(n) for n in CITE_MARK.findall(data["answer"])} <= numbers
    cited = {c["source_id"] for c in data["citations"]}
    for part in data["snippets"]:
        assert set(part["source_ids"]) <= cited
    # Every shown block comes from a snippet body or a fixed message.
    fixed = fixed_texts(messages, locale)
    if answer.intro:
        assert any(answer.intro.startswith(t) for t in fixed), answer.intro
    for part in answer.parts:
        assert part.snippet.body == knowledge.snippet(part.snippet.id).body
        assert part.markdown.startswith(part.snippet.body)
    assert set(answer.covers) <= set(messages["covers"])
    # Certainty wording matches the cited snippets.
    expected = overall_certainty([p.snippet for p in answer.parts])
    assert data["certainty"] == expected
    if expected != "none":
        heading = messages["certainty_heading"]
        assert data["caveats"][0].startswith(heading)
        if expected != "mixed":
            assert data["caveats"][0] == f"{heading} {messages['certainty'][expected]}"
    # The HTML is sanitised.
    assert not UNSAFE_HTML.search(data["answer_html"]), data["answer_html"]
    assert data["kind"] in ("answer", "no_evidence", "crisis", "emergency", "personal_advice",
                            "illicit", "out_of_scope")
