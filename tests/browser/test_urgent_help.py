"""The "Urgent help" box in a real browser: on every page and after every reply, never below the fold,
at the sizes people use (phone, desktop, kiosk upright and on its side); the question box comes first."""

import copy

import pytest

from tests.browser.conftest import serve
from tests.browser.support import SIZES, ask, box, context_at, fully_in_view
from web import create_app

pytestmark = pytest.mark.browser

PAGES = ["/", "/kiosk", "/clinician", "/sources", "/about", "/evidence", "/take-home?s=fibro", "/no-such-page"]
US_NUMBERS = ("988", "911", "1-800-222-1222")


@pytest.mark.parametrize("size", SIZES)
def test_help_is_in_the_first_screen_of_every_page(browser, live_url, size):
    context = context_at(browser, SIZES[size])
    page = context.new_page()
    for path in PAGES:
        page.goto(live_url + path)
        help_box = page.locator(".urgent-help")
        assert help_box.count() == 1, path
        assert fully_in_view(help_box), (path, box(help_box))
        text = help_box.inner_text()
        assert all(number in text for number in US_NUMBERS), (path, text)
        assert "Emergency: Emergency" not in page.content()
    context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_question_box_comes_first_and_in_view(browser, live_url, size):
    context = context_at(browser, SIZES[size])
    page = context.new_page()
    for path in ("/", "/kiosk"):
        page.goto(live_url + path)
        question = page.locator("#question")
        assert fully_in_view(question), (path, box(question))
        first_control = page.evaluate("document.querySelector('main').querySelector('input, button, a, textarea').id")
        assert first_control == "question", path
        assert box(question)["bottom"] <= box(page.locator(".urgent-help"))["top"]
        assert box(page.locator(".urgent-help"))["bottom"] <= box(page.locator("#start"))["top"]
    context.close()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("path", ["/", "/kiosk"])
def test_help_and_the_new_answer_are_in_view_after_each_reply(browser, live_url, size, path):
    context = context_at(browser, SIZES[size])
    page = context.new_page()
    page.goto(live_url + path)
    for number, question in enumerate(["Does ketamine help fibro?", "what about the bladder?"], start=1):
        card, _ = ask(page, question)
        assert fully_in_view(page.locator(".urgent-help")), (number, box(page.locator(".urgent-help")))
        heading = card.locator(".card-question")
        assert fully_in_view(heading), (number, box(heading))
    # A follow-up pressed further down: the new answer, the help and the box come back into view.
    page.locator("#c1 .follow-ups button").first.scroll_into_view_if_needed()
    page.locator("#c1 .follow-ups button").first.click()
    page.locator("#c3").wait_for()
    assert fully_in_view(page.locator(".urgent-help")) and fully_in_view(page.locator("#c3 .card-question"))
    assert page.locator("#conversation > article").first.get_attribute("id") == "c3"  # newest first
    context.close()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("path", ["/", "/kiosk"])
def test_help_is_in_view_after_a_reply_without_javascript(browser, live_url, size, path):
    context = context_at(browser, SIZES[size], java_script_enabled=False)
    page = context.new_page()
    page.goto(live_url + path)
    page.locator("#question").fill("Does ketamine help fibro?")
    page.locator("#ask-form button[type=submit]").click()
    page.locator("#c1").wait_for()
    assert fully_in_view(page.locator(".urgent-help"))
    assert box(page.locator("#c1"))["top"] < box(page.locator("#c1"))["viewport"]  # the answer starts on screen
    context.close()


def test_every_reply_kind_carries_the_numbers(page, live_url):
    page.goto(live_url + "/")
    for question in ("Does ketamine help fibro?", "what is the weather", "I want to end my life"):
        card, _ = ask(page, question)
        text = card.inner_text()
        assert "988" in text and "911" in text, question


def test_the_kiosk_shows_the_numbers_as_text_with_a_member_of_staff(browser, live_url, engine):
    context = context_at(browser, SIZES["kiosk-landscape"])
    page = context.new_page()
    page.goto(live_url + "/kiosk")
    ask(page, "I want to end my life")
    ask(page, "Does ketamine help fibro?")
    help_box = page.locator(".urgent-help")
    assert engine.messages["urgent_help"]["kiosk_staff"] in help_box.inner_text()
    assert page.locator("a[href^='tel:'], a[href^='sms:']").count() == 0
    assert engine.messages["urgent_help"]["kiosk_staff"] in page.locator("#c2 .card-help").inner_text()
    context.close()


def test_the_patient_page_numbers_can_be_called(page, live_url):
    page.goto(live_url + "/")
    links = page.locator(".urgent-help a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == ["tel:988", "tel:911", "tel:18002221222"]


def test_the_uk_page_has_samaritans_999_and_nhs_111(browser, engine):
    uk_engine = copy.copy(engine)
    uk_engine.settings = engine.settings.replace(locale="uk")
    with serve(create_app({"ENGINE": uk_engine, "RATE_LIMIT": ""})) as url:
        context = context_at(browser, SIZES["phone"])
        page = context.new_page()
        for path in ("/", "/kiosk", "/sources"):
            page.goto(url + path)
            text = page.locator(".urgent-help").inner_text()
            assert "116 123" in text and "999" in text and "111" in text and "988" not in text, text
            assert fully_in_view(page.locator(".urgent-help"))
        context.close()
