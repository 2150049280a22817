"""axe-core (from the axe-playwright-python wheel) on every page: no serious or critical violations."""

import pytest

from tests.browser.support import ask, axe_violations, describe

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["/", "/kiosk", "/clinician", "/sources", "/about"])
def test_no_serious_or_critical_violations(page, live_url, path):
    page.goto(live_url + path)
    violations = axe_violations(page)
    print(f"\naxe {path}: {len(violations)} serious/critical")
    assert not violations, describe(violations)


@pytest.mark.parametrize("path", ["/", "/kiosk"])
@pytest.mark.parametrize("question", ["Does ketamine help fibro?", "I want to end my life",
                                      "is the drip better than a dummy treatment", "what is the weather"])
def test_no_violations_with_answers_on_the_page(page, live_url, path, question):
    page.goto(live_url + path)
    ask(page, question)
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_no_violations_in_the_idle_warning(page, live_url):
    page.goto(live_url + "/kiosk")
    ask(page, "Does ketamine help fibro?")
    page.evaluate("document.getElementById('idle-dialog').showModal()")
    violations = axe_violations(page)
    assert not violations, describe(violations)


@pytest.mark.parametrize("path", ["/", "/sources"])
def test_all_levels_are_reported(page, live_url, path):
    """Moderate and minor findings are printed (not asserted) so they stay visible."""
    page.goto(live_url + path)
    if path == "/":
        ask(page, "Does ketamine help fibro?")
    others = axe_violations(page, levels=("moderate", "minor"))
    print(f"\naxe {path} moderate/minor: {describe(others) or 'none'}")
