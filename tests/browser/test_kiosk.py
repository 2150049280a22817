"""The waiting-room kiosk in a real browser: idle warning, continue, full wipe, QR, no history."""

import pytest

from tests.browser.conftest import serve
from tests.browser.support import ask
from web import create_app

pytestmark = pytest.mark.browser

IDLE, WARNING = 2, 3  # seconds; production defaults are 90 and 30 (at least 20, WCAG 2.2.1)


@pytest.fixture(scope="module")
def kiosk_url(engine):
    app = create_app({"ENGINE": engine, "RATE_LIMIT": "", "KIOSK_IDLE_SECONDS": IDLE,
                      "KIOSK_WARNING_SECONDS": WARNING})
    with serve(app) as url:
        yield url + "/kiosk"


def test_idle_warning_then_continue_keeps_the_conversation(page, kiosk_url):
    page.goto(kiosk_url)
    ask(page, "Does ketamine help fibro?")
    dialog = page.locator("#idle-dialog")
    dialog.wait_for(state="visible", timeout=(IDLE + 2) * 1000)
    assert page.evaluate("document.activeElement.id") == "idle-continue"
    assert int(page.locator("#idle-count").inner_text()) <= WARNING
    page.locator("#idle-continue").click()
    assert dialog.is_hidden()
    page.wait_for_timeout(WARNING * 1000)  # past the moment the wipe would have happened
    assert page.locator("#conversation > article.card").count() == 1


def test_idle_warning_then_full_wipe(page, kiosk_url):
    page.goto(kiosk_url)
    history_length = page.evaluate("history.length")
    ask(page, "Does ketamine help fibro?")
    page.locator("#c1 .follow-ups button").first.click()
    page.locator("#c2").wait_for()
    page.locator("#question").fill("half-typed question")
    page.evaluate("sessionStorage.setItem('x', '1'); localStorage.setItem('y', '2')")
    assert page.evaluate("history.length") == history_length  # no history entry per question
    page.locator("#idle-dialog").wait_for(state="visible", timeout=(IDLE + 2) * 1000)
    page.locator("#idle-dialog").wait_for(state="hidden", timeout=(WARNING + 2) * 1000)
    assert page.locator("#conversation").inner_html().strip() == ""
    assert page.locator("#question").input_value() == ""
    assert page.locator("#ask-form input[name=history]").count() == 0
    assert page.evaluate("sessionStorage.length + localStorage.length") == 0
    assert page.locator("#start").is_visible()
    assert page.evaluate("document.activeElement.id") == "page-heading"
    assert page.url == kiosk_url
    # The next person's first question is sent without the last person's history.
    with page.expect_request(lambda r: r.method == "POST") as request:
        ask(page, "What are the side effects?")
    assert "history=" not in (request.value.post_data or "")
    assert page.locator("#c1").count() == 1


def test_start_over_wipes_at_once(page, kiosk_url):
    page.goto(kiosk_url)
    ask(page, "Does ketamine help fibro?")
    start_over = page.locator("#start-over")
    page.mouse.wheel(0, 2000)
    assert start_over.is_visible() and start_over.evaluate("el => el.getBoundingClientRect().top >= 0")
    start_over.click()
    assert page.locator("#conversation > article.card").count() == 0
    assert page.locator("#start").is_visible()


def test_kiosk_answer_has_a_qr_code_and_large_targets(page, kiosk_url):
    page.goto(kiosk_url)
    starters = page.locator("#start button")
    assert starters.count() >= 3
    starters.first.click()
    card = page.locator("#c1")
    card.wait_for()
    qr = card.locator("svg[role=img]")
    assert qr.is_visible() and "QR code" in qr.get_attribute("aria-label")
    small = page.evaluate("""() => [...document.querySelectorAll('button:not([hidden]), a, input')]
        .filter(el => el.offsetParent !== null && !el.closest('.site-footer'))
        .map(el => el.getBoundingClientRect())
        .filter(r => r.height < 44 || r.width < 44).length""")
    assert small == 0


def test_crisis_banner_on_the_kiosk_says_tell_staff(page, kiosk_url, engine):
    page.goto(kiosk_url)
    card, _ = ask(page, "I want to end my life")
    banner = card.locator(".urgent-banner")
    assert engine.messages["kiosk_staff"] in banner.inner_text()
    assert "call or text 988" in banner.inner_text() and "call 911" in banner.inner_text()
    assert page.locator("a[href^='tel:'], a[href^='sms:']").count() == 0  # a kiosk cannot call: text to read


def test_an_answer_arriving_after_start_over_is_dropped(page, kiosk_url):
    page.goto(kiosk_url)
    page.route("**/kiosk", lambda route: (page.wait_for_timeout(800), route.continue_())
               if route.request.method == "POST" else route.continue_())
    page.locator("#question").fill("Does ketamine help fibro?")
    page.keyboard.press("Enter")
    page.locator("#start-over").click()
    page.wait_for_timeout(1500)
    assert page.locator("#conversation > article.card").count() == 0
