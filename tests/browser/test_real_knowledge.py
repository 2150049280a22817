"""The real knowledge base and the real model in a real browser; the README screenshots.

Uses knowledge/ as it stands (it may still be growing): its index is built into a temporary
folder with the real ONNX model, and the app loads it the way `make run` does.
"""

import os
import shutil

import pytest

from tests.browser.conftest import ROOT, serve
from tests.browser.support import EVERY_LEVEL, ask, axe_violations, describe
from tests.browser.test_qr_codes import decode
from web import create_app

pytestmark = [pytest.mark.browser, pytest.mark.integration]
SCREENSHOTS = ROOT / "docs" / "screenshots"
FIRST_QUESTION = "Does ketamine work for chronic pain?"


@pytest.fixture(scope="module")
def real_url(real_settings):
    settings = real_settings
    app = create_app({"INDEX_DIR": settings.index_dir, "KNOWLEDGE_DIR": settings.knowledge_dir})
    assert app.extensions["bot"].state.ready, app.extensions["bot"].state.problem
    with serve(app) as url:
        yield url


def save(page, output_dir, name: str, **kwargs) -> None:
    """Screenshots go to test-output/; `make screenshots` also refreshes the ones in docs/."""
    path = output_dir / name
    page.screenshot(path=str(path), **kwargs)
    if os.environ.get("BOT_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, SCREENSHOTS / name)


def test_first_question_gets_a_cited_answer_with_certainty(browser, real_url, output_dir):
    context = browser.new_context(viewport={"width": 1024, "height": 900})
    page = context.new_page()
    page.goto(real_url + "/")
    timings = []
    card, seconds = ask(page, FIRST_QUESTION)
    timings.append(seconds)
    assert card.locator("sup a").count() >= 1, card.inner_text()
    assert card.locator(".source-list li").count() >= 1
    assert card.locator(".certainty-heading").inner_text() == "How sure is this?"
    assert card.locator(".certainty-text").inner_text().strip()
    for question in ("What are the side effects of a ketamine drip?", "Does ketamine help fibromyalgia?"):
        timings.append(ask(page, question)[1])
    print(f"\ntime to answer visible (real model), ms: {', '.join(f'{t * 1000:.0f}' for t in timings)}")
    page.locator("#c1").scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("#c2").evaluate("el => el.remove()")  # the screenshot shows one answer
    page.locator("#c3").evaluate("el => el.remove()")
    save(page, output_dir, "patient-answer.png", full_page=True)
    violations = axe_violations(page, levels=EVERY_LEVEL)
    assert not violations, describe(violations)
    context.close()


def test_kiosk_and_crisis_screenshots(browser, real_url, output_dir):
    context = browser.new_context(viewport={"width": 1080, "height": 1920})
    page = context.new_page()
    page.goto(real_url + "/kiosk")
    page.locator("#start button").first.click()
    card = page.locator("#c1")
    card.wait_for()
    page.evaluate("window.scrollTo(0, 0)")
    save(page, output_dir, "kiosk-answer.png", full_page=True)
    # The screenshot in the README is scanned too: every code in it holds a source's link.
    decoded = decode(output_dir / "kiosk-answer.png")
    codes = card.locator("svg.qr-code")
    print(f"\nzbarimg on kiosk-answer.png: {decoded}")
    assert codes.count() >= 2 and len(decoded) == codes.count()
    assert all(url.startswith("https://") for url in decoded)
    page.locator("#start-over").click()
    crisis, _ = ask(page, "I want to end my life")
    assert crisis.locator(".urgent-banner .contact-text").count() >= 2
    page.evaluate("window.scrollTo(0, 0)")
    save(page, output_dir, "crisis-banner.png")
    violations = axe_violations(page, levels=EVERY_LEVEL)
    assert not violations, describe(violations)
    context.close()


def test_evidence_chart_and_dark_mode_screenshots(browser, real_url, output_dir):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(real_url + "/evidence")
    assert page.locator("svg.evidence-chart rect.ev-cell").count() >= 20
    save(page, output_dir, "evidence-chart.png", full_page=True)
    violations = axe_violations(page, levels=EVERY_LEVEL)
    assert not violations, describe(violations)
    context.close()
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme="dark", device_scale_factor=2,
                                  reduced_motion="reduce")
    page = context.new_page()
    page.goto(real_url + "/")
    ask(page, "Does ketamine help nerve pain?")
    save(page, output_dir, "phone-dark.png")
    violations = axe_violations(page, levels=EVERY_LEVEL)
    assert not violations, describe(violations)
    context.close()


def test_the_sources_page_shows_no_curators_notes(browser, real_url):
    from bot.knowledge.load import load_knowledge

    context = browser.new_context()
    page = context.new_page()
    page.goto(real_url + "/sources")
    text = page.locator("main").inner_text()
    for source in load_knowledge(ROOT / "knowledge").sources:
        assert source.title in text
        if source.note:
            assert " ".join(source.note.split())[:40] not in " ".join(text.split()), source.id
    for working_note in ("[V1]", "[V2]", "[S]", "second-hand", "not recorded", "not yet checked", "Notes from"):
        assert working_note not in text, working_note
    context.close()
