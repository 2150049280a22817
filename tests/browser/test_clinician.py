"""The clinician phrasing check in a real browser (a plain form: the same with JavaScript off)."""

import pytest

from tests.browser.support import axe_violations, describe

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False])
def test_check_a_sentence_and_follow_a_citation(browser, live_url, javascript):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(live_url + "/clinician")
    page.get_by_label("Sentence to check").fill("Ketamine is proven to cure chronic pain.")
    page.get_by_role("button", name="Check").click()
    page.wait_for_load_state()
    assert page.url == live_url + "/clinician#result"
    result = page.locator("#result")
    assert result.locator(".verdict strong").first.inner_text() == "Overstated"
    result.locator(".explanation sup a").first.click()
    assert page.locator(":target").get_attribute("id") == "chk-src-1"
    if javascript:
        violations = axe_violations(page)
        assert not violations, describe(violations)
    context.close()
