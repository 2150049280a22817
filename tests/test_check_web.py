"""The clinician page with handouts: a summary, a verdict per sentence, and a printable report."""

import re

from markupsafe import escape

HANDOUT = ("Ketamine may help some people with pain, but the evidence is weak.\n"
           "Ketamine never causes bladder problems.\n"
           "Ketamine is a proven cure for fibromyalgia.")


def html_of(response, status=200):
    assert response.status_code == status
    return response.get_data(as_text=True)


def test_a_handout_gets_a_summary_and_every_sentence_its_verdict(client, engine):
    html = html_of(client.post("/clinician", data={"text": HANDOUT}))
    result = engine.check(HANDOUT)
    assert "Summary</h3>" in html and "3 sentences checked; 2 need a look." in html
    for verdict, n in result.summary.items():
        assert re.search(rf"{escape(engine.knowledge.wording['verdict_labels'][verdict])}</td><td>{n}</td>", html)
    assert html.count("<li><q>") == 3 and "Most serious: <strong>Contradicted by the evidence</strong>" in html
    for claim in result.claims:
        assert str(escape(claim.claim)) in html


def test_the_printable_report_has_the_result_without_the_form_or_the_menu(client):
    html = html_of(client.post("/clinician", data={"text": HANDOUT, "view": "print"}))
    assert "Phrasing check report" in html and "Sentence by sentence" in html
    assert "<textarea" not in html and 'aria-label="Main"' not in html
    assert 'class="source-url"' in html  # the links, written out for paper
    assert not re.search(r"<script(?![^>]*\bsrc=)|\sstyle=", html)  # the strict CSP allows neither


def test_the_page_offers_the_report_and_says_how_much_it_reads(client):
    html = html_of(client.get("/clinician"))
    assert "8,000 characters" in html and 'maxlength="8000"' in html
    html = html_of(client.post("/clinician", data={"text": HANDOUT}))
    form = html[html.index('class="report-form"'):]
    assert 'name="view" value="print"' in form and f'value="{escape(HANDOUT)}"' in form
