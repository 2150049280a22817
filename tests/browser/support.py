"""Small helpers shared by the browser tests."""

from __future__ import annotations

import time

from axe_playwright_python.sync_playwright import Axe

BLOCKING = ("serious", "critical")


def ask(page, question: str) -> tuple[object, float]:
    """Type a question, submit with Enter; returns the new card and seconds until it showed."""
    cards = page.locator("#conversation > article.card")
    before = cards.count()
    page.locator("#question").fill(question)
    started = time.perf_counter()
    page.keyboard.press("Enter")
    card = cards.nth(before)
    card.wait_for(state="visible")
    return card, time.perf_counter() - started


def axe_violations(page, levels=BLOCKING) -> list[dict]:
    """axe-core's violations on the current page at the given impact levels."""
    results = Axe().run(page)
    return [v for v in results.response["violations"] if v["impact"] in levels]


def describe(violations: list[dict]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']} -> "
                     f"{[n['target'] for n in v['nodes']][:5]}" for v in violations)
