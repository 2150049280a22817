"""axe-core (from the axe-playwright-python wheel) on every page, light and dark: no violations at any
level, also with answers, the kiosk's QR codes, the idle warning and the evidence chart on screen."""

import pytest

from tests.browser.support import EVERY_LEVEL, ask, axe_violations, describe

pytestmark = pytest.mark.browser

PATHS = ["/", "/kiosk", "/clinician", "/sources", "/about", "/evidence", "/take-home?s=fibro,bladder",
         "/take-home?s=no-such-snippet", "/feedback/thanks", "/no-such-page"]
DARK_BACKGROUND = "rgb(18, 18, 18)"


@pytest.fixture(params=["light", "dark"])
def scheme_page(request, browser):
    context = browser.new_context(viewport={"width": 1024, "height": 900}, color_scheme=request.param)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.scheme = request.param
    yield page
    context.close()


def check(page) -> None:
    page.wait_for_load_state("load")  # a page a form posted to may still be fetching its stylesheet
    background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
    assert (background == DARK_BACKGROUND) == (page.scheme == "dark"), background  # the scheme took effect
    violations = axe_violations(page, levels=EVERY_LEVEL)
    assert not violations, describe(violations)


@pytest.mark.parametrize("path", PATHS)
def test_no_serious_or_critical_violations(scheme_page, live_url, path):
    scheme_page.goto(live_url + path)
    check(scheme_page)


@pytest.mark.parametrize("path", ["/", "/kiosk"])
@pytest.mark.parametrize("question", ["Does ketamine help fibro?", "I want to end my life",
                                      "is the drip better than a dummy treatment", "what is the weather"])
def test_no_violations_with_answers_on_the_page(scheme_page, live_url, path, question):
    scheme_page.goto(live_url + path)
    ask(scheme_page, question)
    check(scheme_page)


def test_no_violations_after_feedback_and_in_the_idle_warning(scheme_page, live_url):
    scheme_page.goto(live_url + "/kiosk")
    card, _ = ask(scheme_page, "Does ketamine help fibro?")
    card.locator(".feedback button[value=yes]").click()
    card.locator(".feedback-thanks").wait_for()
    scheme_page.evaluate("document.getElementById('idle-dialog').showModal()")
    check(scheme_page)


def test_no_violations_on_the_clinician_page_with_a_result_and_the_chart(scheme_page, live_url):
    scheme_page.goto(live_url + "/clinician")
    scheme_page.locator("#check-text").fill("Ketamine is proven to cure chronic pain.")
    scheme_page.locator(".check-form button[type=submit]").click()
    scheme_page.locator("#result").wait_for()
    assert scheme_page.locator(".evidence-table").is_visible()
    check(scheme_page)
