"""Evidence at a glance: the grid made from snippet front matter, its SVG drawing and its pages."""

import datetime as dt
import re

import pytest

from bot.knowledge.load import Snippet, load_knowledge
from tests.conftest import FIXTURE_KNOWLEDGE
from web.evidence import Cell, make_grid
from web.evidence_chart import chart_svg

VOCABULARY = load_knowledge(FIXTURE_KNOWLEDGE).vocabulary


def snippet(sid, finding, certainty, drugs=("ketamine",), routes=("iv",), conditions=("fibromyalgia",),
            outcomes=("pain",)) -> Snippet:
    return Snippet(id=sid, topic="t", path=f"{sid}.md", title=sid, body="b", sources=("s",), certainty=certainty,
                   finding=finding, drugs=tuple(drugs), routes=tuple(routes), conditions=tuple(conditions),
                   outcomes=tuple(outcomes), questions=(), checked=dt.date(2026, 11, 1))


def only_cell(grid, drug="ketamine", condition="fibromyalgia") -> Cell:
    row = next(r for r in grid.rows if r.drug == drug)
    return row.cells[grid.conditions.index(condition)]


def test_the_most_certain_snippets_decide_and_others_are_marked_as_disagreeing():
    grid = make_grid([snippet("a", "no-clear-benefit", "low"), snippet("b", "benefit", "very-low")], VOCABULARY)
    cell = only_cell(grid)
    assert (cell.finding, cell.certainty, cell.disagree) == ("no-clear-benefit", "low", True)
    assert cell.snippet_ids == ("a", "b")  # most certain first
    assert (cell.label, cell.symbol, cell.steps) == ("No clear benefit", "=", 2)


def test_equally_certain_snippets_that_differ_are_mixed():
    grid = make_grid([snippet("a", "no-clear-benefit", "low"), snippet("b", "benefit", "low")], VOCABULARY)
    assert only_cell(grid).finding == "mixed" and only_cell(grid).label == "Findings differ"


def test_harms_information_and_other_outcomes_stay_out():
    grid = make_grid([snippet("a", "harm", "low"), snippet("b", "info", "not-graded"),
                      snippet("c", "benefit", "low", outcomes=("bladder",)), snippet("d", "uncertain", "low")], VOCABULARY)
    assert [c.snippet_ids for c in grid.cells] == [("d",)]


def test_a_medicine_is_split_by_route_only_when_the_routes_disagree():
    same = make_grid([snippet("a", "uncertain", "low", routes=("iv",)), snippet("b", "uncertain", "low", routes=("oral",))], VOCABULARY)
    assert [r.route for r in same.rows] == [None]
    differ = make_grid([snippet("a", "benefit", "low", routes=("iv",)),
                        snippet("b", "no-clear-benefit", "low", routes=("oral",))], VOCABULARY)
    assert [(r.route, r.label) for r in differ.rows] == [("iv", "Ketamine, drip (IV)"), ("oral", "Ketamine, by mouth")]
    assert [only_cell_of(r, differ).finding for r in differ.rows] == ["benefit", "no-clear-benefit"]


def only_cell_of(row, grid):
    return row.cells[grid.conditions.index("fibromyalgia")]


def test_a_cell_says_when_all_its_evidence_is_one_route():
    grid = make_grid([snippet("a", "benefit", "low", routes=("iv",), conditions=("crps",)),
                      snippet("b", "uncertain", "low", routes=("oral",), conditions=("fibromyalgia",))], VOCABULARY)
    row = grid.rows[0]
    assert row.route is None
    assert row.cells[grid.conditions.index("crps")].route_note == "drip (IV) only"


def test_the_fixture_grid_and_its_drawing_match():
    grid = make_grid(load_knowledge(FIXTURE_KNOWLEDGE).snippets, VOCABULARY)
    svg = str(chart_svg(grid, lambda ids: "/take-home?s=" + ",".join(ids), str.capitalize))
    assert svg.startswith('<svg class="evidence-chart" viewBox=') and 'aria-hidden="true"' in svg
    assert svg.count('class="ev-cell') == len(grid.cells)
    assert svg.count('tabindex="-1"') == len(grid.cells)  # the table's links are the keyboard's
    for cell in grid.cells:
        assert f'href="/take-home?s={",".join(cell.snippet_ids)}"' in svg
    assert "http" not in svg  # drawn here, nothing loaded from elsewhere


@pytest.mark.integration
def test_the_real_grid_has_every_medicine_and_splits_routes_where_they_differ():
    grid = make_grid(load_knowledge("knowledge").snippets, VOCABULARY)
    drugs = {r.drug for r in grid.rows}
    assert {"ketamine", "memantine", "dextromethorphan", "amantadine", "magnesium"} <= drugs
    assert "chronic-pain" in grid.conditions and "neuropathic-pain" in grid.conditions
    for row in grid.rows:
        siblings = [r for r in grid.rows if r.drug == row.drug]
        if len(siblings) > 1:  # split rows exist only where some cell differs between routes
            assert any(a.cells[i] != b.cells[i] for a in siblings for b in siblings for i in range(len(grid.conditions)))


def test_the_evidence_page_has_a_table_in_words_that_links_each_cell(client, engine):
    html = client.get("/evidence").get_data(as_text=True)
    assert "<h1>Evidence at a glance</h1>" in html and '<caption id="ev-table-caption">' in html
    assert html.count('<th scope="row">') == len(make_grid(engine.knowledge.snippets, VOCABULARY).conditions)
    links = re.findall(r'<a class="ev-link" href="([^"]+)">', html)
    assert links and all(link.startswith("/take-home?s=") for link in links)
    for link in links:
        assert client.get(link.replace("&amp;", "&")).status_code == 200


def test_the_clinician_page_carries_the_chart_too(client):
    html = client.get("/clinician").get_data(as_text=True)
    assert 'id="evidence-heading"' in html and 'class="evidence-chart"' in html and 'class="evidence-table"' in html
