"""In a real browser: hostile input runs no script anywhere, the CSP blocks what would, and the
kiosk wipe leaves nothing of the last person in the DOM, the history or storage."""

import pytest

from tests.browser.conftest import serve
from tests.browser.support import ask
from tests.xss import MARK, PAYLOADS
from web import create_app

pytestmark = pytest.mark.browser

CANARY = "zebra-canary-7734"
# Elements and attributes no page of ours has: any of them in the DOM means input became markup.
FOREIGN = ("script:not([src]), img, iframe, object, embed, style, [onerror], [onload], [onclick], "
           "a[href^='javascript:'], a[href^='data:'], [srcdoc]")
WATCH = """() => {
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective));
}"""


def watch(page) -> dict:
    """Record alert() dialogs and requests that only injected markup would make."""
    seen = {"dialogs": [], "stray_requests": []}
    page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
    page.on("request", lambda r: seen["stray_requests"].append(r.url) if r.url.rstrip("/").endswith("/x") else None)
    page.add_init_script(f"({WATCH})()")
    return seen


def assert_inert(page, seen) -> None:
    assert page.evaluate("window.__xss") is None
    assert page.locator(FOREIGN).count() == 0
    assert seen["dialogs"] == [] and seen["stray_requests"] == []


@pytest.mark.parametrize("path", ["/", "/kiosk"])
def test_hostile_questions_show_as_text_and_run_nothing(page, live_url, path):
    seen = watch(page)
    page.goto(live_url + path)
    for number, payload in enumerate(PAYLOADS, start=1):
        card, _ = ask(page, payload)
        assert MARK in card.locator(".card-question").inner_text()
        assert card.get_attribute("id") == f"c{number}"
    page.locator(f"#c{len(PAYLOADS)} .follow-ups button").first.click()  # history full of payloads goes back
    page.locator(f"#c{len(PAYLOADS) + 1}").wait_for()
    assert_inert(page, seen)
    assert page.evaluate("window.__violations") == []  # nothing even tried to run


def test_hostile_questions_in_the_no_script_page_run_nothing(browser, live_url):
    """The whole-page answer (the form path without our script) with script allowed in the page."""
    page = browser.new_page()
    seen = watch(page)
    page.route("**/static/js/app.js", lambda route: route.abort())
    for payload in PAYLOADS[:6]:
        page.goto(live_url + "/")
        page.locator("#question").fill(payload)
        page.locator("#ask-form button[type=submit]").click()
        page.locator("#c1").wait_for()
        assert MARK in page.locator("#c1 .card-question").inner_text()
        assert MARK in page.locator("#c1 .understood").inner_text()
        assert_inert(page, seen)
    page.close()


def test_hostile_clinician_text_runs_nothing(page, live_url):
    seen = watch(page)
    for payload in PAYLOADS[:6]:
        page.goto(live_url + "/clinician")
        page.locator("#check-text").fill(f"{payload}. Ketamine is proven to cure pain.")
        page.locator(".check-form button[type=submit]").click()
        page.locator("#result").wait_for()
        assert MARK in page.locator("#check-text").input_value()
        assert_inert(page, seen)


def test_a_very_long_word_wraps_at_320_pixels(browser, live_url):
    page = browser.new_page(viewport={"width": 320, "height": 800})
    page.goto(live_url + "/")
    ask(page, PAYLOADS[11])
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    page.goto(live_url + "/clinician")
    page.locator("#check-text").fill(PAYLOADS[11] + ". Ketamine is safe. It cures pain.")
    page.locator(".check-form button[type=submit]").click()
    page.locator("#result").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    page.close()


@pytest.fixture(scope="module")
def probe_url(engine):
    """A page that carries inline script and handlers, as if escaping had failed: the CSP must stop them."""
    app = create_app({"ENGINE": engine, "RATE_LIMIT": ""})
    app.add_url_rule("/csp-probe", "csp_probe", lambda: (
        "<!doctype html><html lang=en><title>probe</title>"
        "<script>window.__xss = 'inline'</script>"
        "<img src=/x onerror=\"window.__xss = 'handler'\">"
        "<div style=\"width: 5000px\">styled</div>"
        "<script src=\"data:text/javascript,window.__xss='data'\"></script>"))
    with serve(app) as url:
        yield url


def test_the_content_security_policy_blocks_injected_script(page, probe_url):
    page.add_init_script(f"({WATCH})()")
    page.goto(probe_url + "/csp-probe")
    page.wait_for_load_state("load")
    assert page.evaluate("window.__xss") is None
    violations = page.evaluate("window.__violations")
    assert {"script-src-elem", "script-src-attr", "style-src-attr"} <= set(violations), violations
    assert page.evaluate("document.querySelector('div').offsetWidth") < 5000


@pytest.fixture(scope="module")
def kiosk_url(engine):
    app = create_app({"ENGINE": engine, "RATE_LIMIT": "", "KIOSK_IDLE_SECONDS": 2, "KIOSK_WARNING_SECONDS": 3})
    with serve(app) as url:
        yield url + "/kiosk"


def assert_nothing_left(page, before_history: int, answer_text: str) -> None:
    html = page.evaluate("document.documentElement.outerHTML")
    assert CANARY not in html and answer_text not in html
    assert page.evaluate("document.title").startswith("Ask")
    assert page.evaluate("sessionStorage.length + localStorage.length") == 0
    assert page.context.cookies() == []
    assert page.evaluate("history.length") == before_history
    assert CANARY not in page.url


def test_kiosk_idle_wipe_leaves_nothing_in_dom_history_or_storage(page, kiosk_url):
    page.goto(kiosk_url)
    before = page.evaluate("history.length")
    card, _ = ask(page, f"Does ketamine help fibro {CANARY}?")
    answer_text = card.locator(".answer-body").inner_text()[:60]
    page.locator("#c1 .follow-ups button").first.click()
    page.locator("#c2").wait_for()
    page.locator("#question").fill(f"half-typed {CANARY}")
    page.evaluate("sessionStorage.setItem('k', 'v'); localStorage.setItem('k', 'v')")
    page.locator("#idle-dialog").wait_for(state="visible", timeout=5000)
    page.locator("#idle-dialog").wait_for(state="hidden", timeout=6000)
    assert_nothing_left(page, before, answer_text)


def test_kiosk_wipe_of_a_server_rendered_page_leaves_no_way_back(page, kiosk_url):
    """The first question went as a plain form POST (script not loaded yet): the wipe clears the
    hidden earlier questions and turns the POST's history entry into a plain /kiosk, so neither
    Back nor Forward can bring the answer (or a resubmission) back."""
    page.route("**/static/js/app.js", lambda route: route.abort())
    page.goto(kiosk_url)
    before = page.evaluate("history.length")
    page.unroute("**/static/js/app.js")
    page.locator("#question").fill(f"Does ketamine help fibro {CANARY}?")
    page.locator("#ask-form button[type=submit]").click()
    page.locator("#c1").wait_for()
    answer_text = page.locator("#c1 .answer-body").inner_text()[:60]
    assert page.evaluate("history.length") == before + 1  # the POST made an entry
    assert page.locator(f"input[name=history][value*='{CANARY}']").count() >= 1
    page.locator("#start-over").click()
    page.locator("#start").wait_for()
    assert_nothing_left(page, before + 1, answer_text)
    page.go_back()
    assert CANARY not in page.content()
    page.go_forward()
    assert CANARY not in page.content()
