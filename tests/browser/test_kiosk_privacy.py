"""Kiosk privacy in a real browser: read-aloud says only the answer; without JavaScript the screen
goes back to a blank kiosk by itself, and neither Back nor Reload brings an earlier question back."""

import pytest

from tests.browser.conftest import serve
from tests.browser.support import ask, poll
from web import create_app

pytestmark = pytest.mark.browser

CANARY = "zebra-canary-7734"
IDLE, WARNING = 2, 3  # seconds (production: 90 and 30); without JavaScript the page clears after both
# A speech engine that only records what it is asked to say (chromium has no voices here).
SPEECH = """(() => {
  window.__spoken = [];
  const synth = {speak(u) { window.__spoken.push(u.text); setTimeout(() => u.onend && u.onend(), 0); },
                 cancel() {}, speaking: false, pending: false, paused: false, getVoices() { return []; }};
  Object.defineProperty(window, 'speechSynthesis', {value: synth, configurable: true});
  window.SpeechSynthesisUtterance = function (text) { this.text = text; };
})()"""


@pytest.fixture(scope="module")
def kiosk_url(engine):
    app = create_app({"ENGINE": engine, "RATE_LIMIT": "", "KIOSK_IDLE_SECONDS": IDLE,
                      "KIOSK_WARNING_SECONDS": WARNING})
    with serve(app) as url:
        yield url


@pytest.mark.parametrize("path", ["/kiosk", "/"])
@pytest.mark.parametrize("question", [f"Does ketamine help fibro {CANARY}?", f"I want to kill myself {CANARY}"])
def test_read_aloud_says_the_answer_and_never_the_question(browser, kiosk_url, path, question):
    context = browser.new_context()
    context.add_init_script(SPEECH)
    page = context.new_page()
    page.goto(kiosk_url + path)
    card, _ = ask(page, question)
    card.locator(".read-aloud").click()
    spoken = poll(lambda: page.evaluate("window.__spoken"))
    assert len(spoken) == 1
    assert CANARY not in spoken[0] and "You asked" not in spoken[0]
    first_words = " ".join(card.locator(".speakable").first.inner_text().split()[:6])
    assert spoken[0].startswith(first_words), spoken[0][:80]
    context.close()


def no_script_answer(browser, url: str):
    """A page without JavaScript that has asked one question on the kiosk."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(url + "/kiosk")
    page.locator("#question").fill(f"Does ketamine help fibro {CANARY}?")
    with page.expect_response(lambda r: "/kiosk/answer/" in r.url) as answer:
        page.locator("#ask-form button[type=submit]").click()
    page.locator("#c1").wait_for()
    return context, page, answer.value


def test_without_javascript_the_answer_page_redirects_and_holds_nothing_in_its_url(browser, kiosk_url):
    context, page, response = no_script_answer(browser, kiosk_url)
    assert response.request.redirected_from.method == "POST"  # post/redirect/get
    assert response.headers["cache-control"] == "no-store"
    assert CANARY not in page.url and "fibro" not in page.url
    assert CANARY in page.locator("#c1 .card-question").inner_text()
    context.close()


def test_without_javascript_the_kiosk_clears_itself_after_the_idle_time(browser, kiosk_url):
    context, page, _ = no_script_answer(browser, kiosk_url)
    page.wait_for_url(kiosk_url + "/kiosk", timeout=(IDLE + WARNING + 10) * 1000)  # the <meta> refresh
    assert page.locator("#c1").count() == 0 and page.locator("#start").is_visible()
    assert CANARY not in page.content()
    page.go_back()  # the refresh replaced the answer's entry: nothing to go back to
    assert CANARY not in page.content()
    page.reload()
    assert CANARY not in page.content()
    context.close()


def test_without_javascript_back_and_reload_after_start_over_bring_nothing_back(browser, kiosk_url):
    context, page, _ = no_script_answer(browser, kiosk_url)
    answer_url = page.url
    page.reload()  # the same person reloading: the answer was shown once, so it is gone
    assert page.url == kiosk_url + "/kiosk" and CANARY not in page.content()
    page.goto(answer_url)
    assert CANARY not in page.content()
    context.close()
    context, page, _ = no_script_answer(browser, kiosk_url)
    page.locator("#start-over").click()
    page.wait_for_url(kiosk_url + "/kiosk")
    assert CANARY not in page.content()
    page.go_back()
    assert CANARY not in page.content(), page.url
    page.reload()
    assert CANARY not in page.content()
    page.go_forward()
    assert CANARY not in page.content()
    context.close()


def test_with_javascript_the_idle_warning_comes_first_and_the_page_never_reloads(browser, kiosk_url):
    """The no-script refresh sits in <noscript>: with the script on, the warning and the wipe do the job."""
    context = browser.new_context()
    page = context.new_page()
    page.route("**/static/js/*.js", lambda route: route.abort())  # the first POST goes as a plain form
    page.goto(kiosk_url + "/kiosk")
    page.unroute("**/static/js/*.js")
    page.locator("#question").fill(f"Does ketamine help fibro {CANARY}?")
    page.locator("#ask-form button[type=submit]").click()
    page.locator("#c1").wait_for()
    assert "/kiosk/answer/" in page.url
    page.evaluate("window.__same_document = true")
    page.locator("#idle-dialog").wait_for(state="visible", timeout=(IDLE + 3) * 1000)
    page.locator("#idle-dialog").wait_for(state="hidden", timeout=(WARNING + 3) * 1000)
    assert page.evaluate("window.__same_document") is True  # wiped by the script, not reloaded
    assert page.url == kiosk_url + "/kiosk"  # the answer's address was replaced by the blank kiosk's
    assert CANARY not in page.content()
    context.close()
