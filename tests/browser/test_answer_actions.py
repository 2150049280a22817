"""What a person can do with an answer, in a real browser: see when its evidence was checked, print
it, copy it, share it (Web Share where there is one, the take-home link otherwise), say whether it
helped. None of these carries the question."""

import pytest

from tests.browser.conftest import serve
from tests.browser.support import ask, poll
from web import create_app

pytestmark = pytest.mark.browser

CANARY = "zebra-canary-7734"
QUESTION = f"Does ketamine help fibro {CANARY}?"
RECORD_PRINT = """window.__printed = [];
window.print = () => window.__printed.push({
  body: document.body.className,
  cards: [...document.querySelectorAll('article.card.print-this')].map(c => c.id)});"""
FAKE_SHARE = "navigator.share = data => { window.__shared = data; return Promise.resolve(); };"
NO_SHARE = "delete Navigator.prototype.share; delete navigator.share;"


class MemoryFeedback:
    """A feedback store that keeps its counts in a list (the interface of bot.feedback)."""

    def __init__(self):
        self.votes = []

    def record(self, snippet_ids, kind, helpful):
        self.votes.append((tuple(snippet_ids), kind, helpful))

    def counts(self):
        return []


@pytest.fixture(scope="module")
def served(engine):
    store = MemoryFeedback()
    with serve(create_app({"ENGINE": engine, "RATE_LIMIT": "", "FEEDBACK": store})) as url:
        yield url, store


def test_each_answer_says_when_its_evidence_was_last_checked(page, served, engine):
    url, _ = served
    page.goto(url + "/")
    card, _ = ask(page, QUESTION)
    oldest = min(p.snippet.checked for p in engine.ask(QUESTION).parts)
    line = card.locator(".checked-line")
    assert line.inner_text() == f"Evidence last checked: {oldest.day} {oldest:%B %Y}"
    assert line.locator("time").get_attribute("datetime") == oldest.isoformat()


def test_print_prints_only_that_answer(browser, served):
    url, _ = served
    context = browser.new_context()
    context.add_init_script(RECORD_PRINT)
    page = context.new_page()
    page.goto(url + "/")
    ask(page, QUESTION)
    ask(page, "what about the bladder?")
    page.locator("#c1 .print-answer").click()
    assert page.evaluate("window.__printed") == [{"body": "print-one", "cards": ["c1"]}]
    # What the printer gets when one answer is chosen: that answer alone, with its help numbers.
    page.evaluate("document.body.classList.add('print-one'); document.getElementById('c1').classList.add('print-this')")
    page.emulate_media(media="print")
    assert page.locator("#c1").is_visible() and page.locator("#c2").is_hidden()
    assert page.locator("#c1 .card-help").is_visible() and page.locator("#ask-form").is_hidden()
    context.close()


def test_copy_puts_the_answer_its_sources_and_link_on_the_clipboard_but_not_the_question(browser, served, engine):
    url, _ = served
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    page = context.new_page()
    page.goto(url + "/")
    card, _ = ask(page, QUESTION)
    card.locator(".copy-answer").click()
    card.locator(".action-status").filter(has_text="Copied").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    answer = engine.ask(QUESTION)
    assert answer.parts[0].snippet.body[:40] in copied
    assert "Sources:" in copied and answer.citations[0].source.title in copied
    assert f"{url}/take-home?s=" in copied and "988" in copied
    assert CANARY not in copied
    context.close()


def test_share_uses_web_share_with_the_take_home_link(browser, served, engine):
    url, _ = served
    context = browser.new_context()
    context.add_init_script(FAKE_SHARE)
    page = context.new_page()
    page.goto(url + "/")
    card, _ = ask(page, QUESTION)
    card.locator(".share-answer").click()
    shared = poll(lambda: page.evaluate("window.__shared"))
    ids = ",".join(p.snippet.id for p in engine.ask(QUESTION).parts)
    assert shared["url"].startswith(f"{url}/take-home?s={ids}&v=")
    assert CANARY not in str(shared)
    context.close()


@pytest.mark.parametrize("javascript", [True, False])
def test_without_web_share_the_take_home_link_is_the_way_to_share(browser, served, engine, javascript):
    url, _ = served
    context = browser.new_context(java_script_enabled=javascript)
    context.add_init_script(NO_SHARE)
    page = context.new_page()
    page.goto(url + "/")
    page.locator("#question").fill(QUESTION)
    page.locator("#ask-form button[type=submit]").click()
    card = page.locator("#c1")
    card.wait_for()
    assert card.locator(".share-answer").is_hidden()
    assert card.locator(".print-answer").is_visible() == javascript
    card.locator(".take-home-link").click()
    page.wait_for_url("**/take-home?**")
    for part in engine.ask(QUESTION).parts:
        assert part.snippet.title in page.locator("main").inner_text()
    assert CANARY not in page.content() and CANARY not in page.url
    context.close()


def test_was_this_helpful_counts_ids_and_kind_only(page, served, engine):
    url, store = served
    before = len(store.votes)
    page.goto(url + "/")
    card, _ = ask(page, QUESTION)
    with page.expect_request(lambda r: r.url.endswith("/feedback")) as sent:
        card.locator(".feedback button[value=no]").click()
    card.locator(".feedback-thanks").wait_for()
    assert CANARY not in (sent.value.post_data or "")
    ids = tuple(p.snippet.id for p in engine.ask(QUESTION).parts)
    assert store.votes[before:] == [(ids, "answer", False)]
    assert page.context.cookies() == []


def test_was_this_helpful_without_javascript_thanks_once(browser, served):
    url, store = served
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(url + "/")
    page.locator("#question").fill(QUESTION)
    page.locator("#ask-form button[type=submit]").click()
    before = len(store.votes)
    page.locator("#c1 .feedback button[value=yes]").click()
    page.wait_for_url(url + "/feedback/thanks")
    page.reload()  # a thank-you page after a redirect: reloading it counts nothing again
    assert len(store.votes) == before + 1 and store.votes[-1][2] is True
    assert "Thank you" in page.locator("h1").inner_text()
    context.close()
