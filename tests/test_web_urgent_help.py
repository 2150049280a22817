"""The "Urgent help" box through Flask's test client: on every page, error and not-ready pages too,
with the locale's numbers; on the kiosk as text with "tell a member of staff"."""

import copy
import re

import pytest

from web import create_app

PAGES = ["/", "/kiosk", "/clinician", "/sources", "/about", "/evidence", "/take-home?s=fibro",
         "/take-home?s=gone", "/take-home?s=<b>", "/feedback/thanks", "/no-such-page"]


def help_box(html: str) -> str:
    boxes = re.findall(r'<aside class="urgent-help".*?</aside>', html, re.S)
    assert len(boxes) == 1, html[:500]
    return boxes[0]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_one_help_box_with_the_us_numbers(client, path):
    html = client.get(path).get_data(as_text=True)
    found = help_box(html)
    for number in ("call or text 988", "call 911", "1-800-222-1222"):
        assert number in found
    if path != "/kiosk":  # a phone can call; the kiosk shows text (below)
        assert 'href="tel:988"' in found and 'href="tel:911"' in found and 'href="tel:18002221222"' in found
    assert "Emergency: Emergency" not in html


def test_the_help_box_comes_right_after_the_question_box(client):
    html = client.get("/").get_data(as_text=True)
    assert html.index('id="ask-form"') < html.index('class="urgent-help"') < html.index('id="start"')


def test_the_not_ready_page_still_has_the_numbers(not_ready_client):
    for path in ("/", "/kiosk", "/sources"):
        response = not_ready_client.get(path)
        assert response.status_code == 503
        assert "call or text 988" in help_box(response.get_data(as_text=True))


def test_kiosk_numbers_are_text_with_a_member_of_staff(client, engine):
    html = client.get("/kiosk").get_data(as_text=True)
    found = help_box(html)
    assert "href" not in found and "call or text 988" in found
    assert engine.messages["urgent_help"]["kiosk_staff"] in found


def test_every_answer_card_carries_the_numbers_in_a_line(client, engine):
    for path in ("/", "/kiosk"):
        html = client.post(path, data={"question": "Does ketamine help fibro?"}, follow_redirects=True).get_data(as_text=True)
        line = re.search(r'<p class="card-help">.*?</p>', html, re.S).group(0)
        assert "988" in line and "911" in line and "1-800-222-1222" in line
        assert (engine.messages["urgent_help"]["kiosk_staff"] in line) == (path == "/kiosk")


def test_uk_pages_have_samaritans_999_and_nhs_111(engine):
    uk_engine = copy.copy(engine)
    uk_engine.settings = engine.settings.replace(locale="uk")
    client = create_app({"ENGINE": uk_engine, "RATE_LIMIT": ""}).test_client()
    for path in ("/", "/kiosk", "/about"):
        found = help_box(client.get(path).get_data(as_text=True))
        assert "116 123" in found and "call 999" in found and "NHS 111" in found and "988" not in found
