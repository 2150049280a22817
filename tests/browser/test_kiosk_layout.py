"""The kiosk's header in a real browser at 100%, 200% and 400% zoom, upright and on its side: it never
covers a new answer, a focused control or a followed citation, and it never fills the screen."""

import pytest

from tests.browser.support import SIZES, ask, box, context_at

pytestmark = pytest.mark.browser

KIOSKS = ("kiosk-portrait", "kiosk-landscape")
HEADER_SHARE = 0.25  # a header that stays on screen may take at most a quarter of its height


def header_state(page) -> dict:
    return page.locator(".kiosk-header").evaluate("""el => ({sticky: getComputedStyle(el).position === 'sticky',
        bottom: el.getBoundingClientRect().bottom, height: el.getBoundingClientRect().height})""")


def covered_by_header(page, locator) -> bool:
    """Whether the sticky header hides any part of the element (a static header scrolls away)."""
    header = header_state(page)
    return header["sticky"] and box(locator)["top"] < header["bottom"] - 1


@pytest.mark.parametrize("zoom", [1, 2, 4])
@pytest.mark.parametrize("size", KIOSKS)
def test_the_header_never_covers_content_or_fills_the_screen(browser, live_url, size, zoom):
    context = context_at(browser, SIZES[size], zoom)
    page = context.new_page()
    page.goto(live_url + "/kiosk")
    viewport = page.evaluate("innerHeight")
    header = header_state(page)
    assert not header["sticky"] or header["height"] <= HEADER_SHARE * viewport, (header, viewport)
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    for question in ("Does ketamine help fibro?", "what about the bladder?", "is the drip better than a dummy treatment"):
        card, _ = ask(page, question)
        heading = card.locator(".card-question")
        assert box(heading)["top"] < viewport and not covered_by_header(page, heading), (question, box(heading))
    # Every control in the answers, reached with the keyboard, is in view and not under the header.
    page.locator("#c3").focus()
    for _ in range(30):
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        if not focused.count() or not page.evaluate("!!document.activeElement.closest('#conversation')"):
            break
        place = box(focused)
        assert place["bottom"] > 0 and place["top"] < viewport, place
        assert not covered_by_header(page, focused), (focused.evaluate("el => el.outerHTML.slice(0, 80)"), place)
    # A citation followed from an answer lands below the header.
    page.locator("#c1 sup a").first.click()
    target = page.locator(":target")
    assert not covered_by_header(page, target) and box(target)["top"] < viewport
    context.close()


@pytest.mark.parametrize("size", KIOSKS)
def test_start_over_is_always_on_screen_when_the_screen_is_tall_enough(browser, live_url, size):
    context = context_at(browser, SIZES[size])
    page = context.new_page()
    page.goto(live_url + "/kiosk")
    ask(page, "Does ketamine help fibro?")
    page.mouse.wheel(0, 3000)
    start_over = page.locator("#start-over")
    assert header_state(page)["sticky"]
    assert page.evaluate("scrollY") > 0 and 0 <= box(start_over)["top"] < box(start_over)["viewport"]
    context.close()
