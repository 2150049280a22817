"""Small helpers shared by the browser tests."""

from __future__ import annotations

import time

from axe_playwright_python.sync_playwright import Axe

BLOCKING = ("serious", "critical")
EVERY_LEVEL = ("minor", "moderate", "serious", "critical")


def ask(page, question: str) -> tuple[object, float]:
    """Type a question, submit with Enter; returns the new card and seconds until it showed."""
    cards = page.locator("#conversation > article.card")
    before = cards.count()
    page.locator("#question").fill(question)
    started = time.perf_counter()
    page.keyboard.press("Enter")
    card = page.locator(f"#c{before + 1}")  # cards are numbered in order; the newest is shown first
    card.wait_for(state="visible")
    return card, time.perf_counter() - started


def axe_violations(page, levels=BLOCKING) -> list[dict]:
    """axe-core's violations on the current page at the given impact levels."""
    results = Axe().run(page)
    return [v for v in results.response["violations"] if v["impact"] in levels]


def describe(violations: list[dict]) -> str:
    return "\n".join(f"{v['id']} ({v['impact']}): {v['help']} -> "
                     f"{[n['target'] for n in v['nodes']][:5]}" for v in violations)


# The sizes people meet the pages at: a phone, a desktop, and a kiosk screen upright and on its side.
SIZES = {"phone": (390, 844), "desktop": (1280, 800), "kiosk-portrait": (1080, 1920), "kiosk-landscape": (1920, 1080)}


def context_at(browser, size: tuple[int, int], zoom: float = 1, **kwargs):
    """A browser context showing the page at `size` screen pixels and `zoom` (2 = 200%).

    Zoom is emulated the way the browser does it: fewer CSS pixels, each drawn larger.
    Smooth scrolling is off (reduced motion), so positions can be read as soon as a scroll ends.
    """
    width, height = size
    viewport = {"width": round(width / zoom), "height": round(height / zoom)}
    kwargs.setdefault("reduced_motion", "reduce")
    context = browser.new_context(viewport=viewport, device_scale_factor=zoom, **kwargs)
    context.set_default_timeout(10_000)
    return context


def box(locator) -> dict:
    """The element's rectangle in the viewport, with the viewport's height and the page's scroll."""
    return locator.evaluate("""el => { const r = el.getBoundingClientRect();
        return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height,
                viewport: innerHeight, scrollY: scrollY}; }""")


def fully_in_view(locator) -> bool:
    r = box(locator)
    return r["top"] >= 0 and r["bottom"] <= r["viewport"] and r["height"] > 0


def poll(condition, timeout: float = 10.0, every: float = 0.05):
    """Wait until condition() is true (a deadline, never a fixed sleep); returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)
