"""Evidence at a glance in a real browser: a chart drawn here (no request leaves the server), the same
facts in a table in words, every cell leading to its summaries; on the clinician page too."""

import pytest

from tests.browser.support import poll
from web.evidence import evidence_grid

pytestmark = pytest.mark.browser


def test_the_chart_and_the_table_say_the_same_in_colour_symbol_and_words(page, live_url, engine):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(live_url + "/evidence")
    grid = evidence_grid(engine.knowledge)
    cells = grid.cells
    assert cells, "the fixture knowledge should fill some cells"
    svg = page.locator("svg.evidence-chart")
    assert svg.is_visible() and svg.get_attribute("aria-hidden") == "true"
    assert svg.locator("rect.ev-cell").count() == len(cells)
    links = page.locator(".evidence-table a.ev-link")
    assert links.count() == len(cells)
    for i, cell in enumerate(c for row_cells in zip(*(r.cells for r in grid.rows), strict=True)
                             for c in row_cells if c is not None):
        text = links.nth(i).inner_text()
        assert cell.label in text and "certainty" in text and cell.symbol in text, text
    fills = {page.locator(f"rect.ev-cell.ev-{finding}").first.evaluate("el => getComputedStyle(el).fill")
             for finding in {c.finding for c in cells}}
    assert len(fills) == len({c.finding for c in cells})  # each finding its own colour
    assert all(url.startswith(live_url) for url in requests), requests


def test_each_cell_leads_to_its_summaries(page, live_url, engine):
    page.goto(live_url + "/evidence")
    first = page.locator(".evidence-table a.ev-link").first
    href = first.get_attribute("href")
    first.click()
    page.wait_for_url(live_url + href)
    ids = href.split("s=")[1].split("&")[0].split(",")
    titles = page.locator("section.summary h2")
    assert [titles.nth(i).inner_text() for i in range(titles.count())] == \
        [engine.knowledge.snippets_by_id[i].title for i in ids]
    assert page.locator("section.sources li").count() >= 1


def test_a_square_in_the_chart_leads_to_the_same_summaries(page, live_url):
    page.goto(live_url + "/evidence")
    square = page.locator("svg.evidence-chart a").first
    href = square.get_attribute("href")
    assert href == page.locator(".evidence-table a.ev-link").first.get_attribute("href")
    square.click()
    assert poll(lambda: page.evaluate("location.pathname + location.search") == href)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_clinician_page_has_the_chart_too(browser, live_url, scheme):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto(live_url + "/clinician")
    assert page.locator("#evidence-heading").inner_text() == "Evidence at a glance"
    assert page.locator(".clinician-evidence svg.evidence-chart").is_visible()
    assert page.locator(".clinician-evidence .evidence-table a.ev-link").count() >= 1
    symbol = page.locator("text.ev-symbol").first.evaluate("el => getComputedStyle(el).fill")
    assert symbol == ("rgb(17, 17, 17)" if scheme == "dark" else "rgb(255, 255, 255)")
    context.close()
