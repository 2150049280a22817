"""The patient chat in a real browser: ask, read a cited answer, follow citations, no-JS path."""

import pytest
from playwright.sync_api import expect

from tests.browser.support import ask

pytestmark = pytest.mark.browser


def test_ask_a_question_and_see_a_cited_answer(page, live_url):
    page.goto(live_url + "/")
    card, seconds = ask(page, "Does ketamine help fibro?")
    print(f"\ntime to first answer (fixture knowledge, fake embedder): {seconds * 1000:.0f} ms")
    assert card.locator("sup a").first.get_attribute("href") == "#c1-src-1"
    assert card.locator(".certainty-heading").inner_text() == "How sure is this?"
    assert card.locator(".certainty-label").inner_text() == "Very low"
    assert card.locator(".step.filled").count() == 1 and card.locator(".step").count() == 4
    assert "fibromyalgia" in card.locator(".understood").inner_text()
    assert page.url == live_url + "/"  # fetched: no navigation, nothing in the URL
    assert page.locator("#start").is_hidden()
    assert page.evaluate("document.activeElement.id") == "question"
    assert page.locator("#question").input_value() == ""


def test_follow_up_button_keeps_the_conversation(page, live_url):
    page.goto(live_url + "/")
    ask(page, "Does ketamine help fibro?")
    page.locator("#c1 .follow-ups button").first.click()
    second = page.locator("#c2")
    second.wait_for(state="visible")
    assert page.locator("#conversation > article.card").count() == 2
    assert second.locator("sup a").first.get_attribute("href").startswith("#c2-src-")


def test_citation_link_goes_to_its_numbered_source(page, live_url):
    page.goto(live_url + "/")
    card, _ = ask(page, "Does ketamine help fibro?")
    card.locator("sup a").first.click()
    assert page.url.endswith("#c1-src-1")
    target = page.locator(":target")
    assert target.get_attribute("id") == "c1-src-1"
    assert "review" in target.inner_text().lower()
    expect(target).to_be_in_viewport()  # polls: the page may scroll smoothly


def test_crisis_reply_is_a_banner_with_call_and_text_links(page, live_url):
    page.goto(live_url + "/")
    card, _ = ask(page, "I want to end my life")
    banner = card.locator(".urgent-banner[role=alert]")
    assert banner.is_visible()
    links = banner.locator("a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs == ["tel:988", "sms:988", "tel:911"]
    assert banner.evaluate("el => getComputedStyle(el).borderTopWidth") == "6px"


def test_read_aloud_is_offered_where_speech_synthesis_exists(page, live_url):
    page.goto(live_url + "/")
    card, _ = ask(page, "Does ketamine help fibro?")
    has_speech = page.evaluate("'speechSynthesis' in window")
    assert card.locator(".read-aloud").is_visible() == has_speech


def test_read_aloud_is_hidden_without_speech_synthesis(browser, live_url):
    context = browser.new_context()
    context.add_init_script("delete window.speechSynthesis; delete window.SpeechSynthesisUtterance;")
    page = context.new_page()
    page.goto(live_url + "/")
    card, _ = ask(page, "Does ketamine help fibro?")
    assert card.locator(".read-aloud").is_hidden()
    context.close()


def test_empty_question_shows_an_error_without_a_request(page, live_url):
    page.goto(live_url + "/")
    page.locator("#question").fill("   ")
    page.keyboard.press("Enter")
    error = page.locator("#question-error")
    error.wait_for(state="visible")
    assert "Please type a question" in error.inner_text()
    assert page.locator("#question").get_attribute("aria-invalid") == "true"


def test_without_javascript_the_form_returns_the_whole_page(browser, live_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_url + "/")
    page.locator("#question").fill("Does ketamine help fibro?")
    page.locator("#ask-form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url == live_url + "/"  # the question is not in the URL
    assert page.locator("#c1 .certainty-label").inner_text() == "Very low"
    # A follow-up button posts the earlier question along in a hidden field.
    page.locator("#c1 .follow-ups button").first.click()
    page.wait_for_load_state()
    assert page.locator("#conversation > article.card").count() == 2
    assert page.locator("#conversation > article.card").first.get_attribute("id") == "c2"  # newest first
    assert page.url == live_url + "/"
    assert page.locator(".read-aloud").first.is_hidden()
    context.close()


def test_keyboard_only_with_visible_focus(page, live_url):
    page.goto(live_url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "question":
            break
    assert page.evaluate("document.activeElement.id") == "question"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.type("Does ketamine help fibro?")
    page.keyboard.press("Enter")
    page.locator("#c1").wait_for(state="visible")
    assert page.evaluate("document.activeElement.id") == "question"  # ready for the next question
    # Forward from the box: the Ask button, the help numbers, then the new answer's own controls.
    for _ in range(8):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.closest('article') !== null"):
            break
    assert page.evaluate("document.activeElement.closest('article').id") == "c1"


@pytest.mark.parametrize("path", ["/", "/kiosk"])
@pytest.mark.parametrize("width", [320, 640])
def test_reflows_at_narrow_widths_and_200_percent_zoom(browser, live_url, width, path):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(live_url + path)
    ask(page, "I want to end my life")
    ask(page, "Does ketamine help fibro?")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    context.close()


def test_page_assets_total_under_100_kb(browser, live_url):
    context = browser.new_context()
    page = context.new_page()
    sizes = {}
    page.on("response", lambda r: sizes.__setitem__(r.url, len(r.body())) if r.ok else None)
    page.goto(live_url + "/")
    page.wait_for_load_state("networkidle")
    ask(page, "Does ketamine help fibro?")
    page.wait_for_load_state("networkidle")
    total = sum(sizes.values())
    print(f"\nown assets loaded by the chat page (HTML, CSS, JS, icon, one answer): {total / 1024:.1f} KB")
    assert all(url.startswith(live_url) for url in sizes)
    assert total < 100 * 1024
    context.close()
