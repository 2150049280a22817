"""HTML pages through Flask's test client: the no-JavaScript form path, fragments, errors."""

import copy
import re

import pytest
from markupsafe import escape

from web import create_app
from web.qr import source_codes


def html_of(response, status: int = 200) -> str:
    assert response.status_code == status
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


@pytest.mark.parametrize("path, heading", [
    ("/", "Ask about ketamine"), ("/kiosk", "Ask about ketamine"), ("/clinician", "Check a sentence"),
    ("/sources", "Sources"), ("/about", "How this chatbot works"), ("/evidence", "Evidence at a glance"),
])
def test_every_page_renders_with_one_h1_and_a_language(client, path, heading):
    html = html_of(client.get(path))
    assert html.count("<h1") == 1 and heading in html
    assert re.search(r'<html lang="en-US"( class="kiosk")?>', html) and "<title>" in html


def test_start_page_has_a_labelled_input_and_the_starter_questions(client, engine):
    html = html_of(client.get("/"))
    assert '<label for="question"' in html and 'id="question"' in html
    for question in engine.messages["starter_questions"]:
        assert f'value="{question}"' in html
    assert 'aria-live="polite"' in html


def test_form_post_returns_the_whole_page_with_a_cited_answer(client):
    html = html_of(client.post("/", data={"question": "Does ketamine help fibro?"}))
    assert "<html" in html and 'id="c1"' in html
    assert 'href="#c1-src-1"' in html and 'id="c1-src-1"' in html
    assert "How sure is this?" in html and "Very low" in html and "(1 of 4)" in html
    assert 'class="step filled"' in html
    assert "Understood as: <q>does ketamine help fibromyalgia?</q>" in html
    assert '<input type="hidden" name="history" value="Does ketamine help fibro?">' in html
    assert 'action="/"' in html and "#c" not in re.search(r'<form id="ask-form"[^>]*>', html).group(0)
    assert 'id="start" class="start" aria-labelledby="start-heading" hidden' in html


def test_form_post_with_history_shows_the_whole_conversation(client):
    html = html_of(client.post("/", data={"question": "what about the bladder?",
                                          "history": ["Does ketamine help fibro?"]}))
    assert 'id="c1"' in html and 'id="c2"' in html
    assert 'href="#c2-src-1"' in html
    assert html.count('name="history" value="Does ketamine help fibro?"') >= 2


def test_fragment_request_returns_only_the_card(client):
    response = client.post("/", data={"question": "Does ketamine help fibro?", "card": "7"},
                           headers={"X-Fragment": "answer"})
    html = html_of(response)
    assert html.strip().startswith("<article") and "<html" not in html
    assert 'id="c7"' in html and 'href="#c7-src-1"' in html
    assert "X-Fragment" in response.headers["Vary"]


def test_disagreement_is_shown_with_its_heading(client, engine):
    question = "is the drip better than a dummy treatment"
    assert engine.ask(question).disagreement, "the fixture should give a disagreement here"
    html = html_of(client.post("/", data={"question": question}))
    assert "Studies disagree</h4>" in html and 'class="disagree' in html


@pytest.mark.parametrize("data, message", [
    ({"question": "   "}, "Please type a question first."),
    ({}, "Please type a question first."),
    ({"question": "x" * 2001}, "shorter than 2,000 characters"),
    ({"question": "ok", "history": list("abcdef")}, "Please start over"),
])
def test_bad_form_input_is_400_with_the_form_and_a_message(client, data, message):
    html = html_of(client.post("/", data=data), 400)
    assert message in html and 'aria-invalid="true"' in html and '<form id="ask-form"' in html


def test_bad_fragment_input_is_a_400_fragment(client):
    html = html_of(client.post("/", data={"question": ""}, headers={"X-Fragment": "answer"}), 400)
    assert "<html" not in html and "Please type a question first." in html


def test_user_text_is_escaped(client):
    html = html_of(client.post("/", data={"question": "<script>alert(1)</script> ketamine fibro"}))
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_crisis_renders_a_banner_with_tel_and_sms_links(client):
    html = html_of(client.post("/", data={"question": "I want to end my life"}))
    assert 'class="urgent-banner" role="alert"' in html
    assert 'href="tel:988"' in html and 'href="sms:988"' in html and 'href="tel:911"' in html
    assert "card-crisis" in html and "Sources</h4>" not in html


def test_emergency_renders_a_banner(client):
    html = html_of(client.post("/", data={"question": "my friend took too much ketamine and is not breathing"}))
    assert "card-emergency" in html and 'href="tel:911"' in html and 'role="alert"' in html


def test_kiosk_page_carries_its_timeouts_and_start_over(engine):
    app = create_app({"ENGINE": engine, "KIOSK_IDLE_SECONDS": 45, "KIOSK_WARNING_SECONDS": 25})
    html = html_of(app.test_client().get("/kiosk"))
    assert 'data-idle-seconds="45"' in html and 'data-warning-seconds="25"' in html
    assert 'id="start-over"' in html and 'id="idle-dialog"' in html
    assert 'autocomplete="off"' in html


def test_kiosk_answer_has_a_qr_per_source_and_no_outgoing_links(client, engine):
    question = "Does ketamine help fibro?"
    html = html_of(client.post("/kiosk", data={"question": question}, follow_redirects=True))
    codes = source_codes(engine.ask(question, mode="kiosk").citations)
    assert codes and all(str(code.svg) in html for code in codes)
    for svg in re.findall(r"<svg.*?</svg>", html, re.S):
        assert question not in svg
    sources = re.search(r'<ol class="source-list">.*?</ol>', html, re.S).group(0)
    assert "<a " not in sources  # an offline kiosk: titles only, the QR codes carry the links
    assert 'action="/kiosk"' in html


def test_kiosk_crisis_adds_the_staff_line_and_numbers_as_text(client, engine):
    html = html_of(client.post("/kiosk", data={"question": "I want to end my life"}, follow_redirects=True))
    banner = re.search(r'<div class="urgent-banner".*?</div>', html, re.S).group(0)
    assert engine.messages["kiosk_staff"] in banner and "call or text 988" in banner and "call 911" in banner
    assert "href=" not in banner  # a kiosk cannot call: the numbers are there to read
    assert "tel:" not in html and "sms:" not in html


def test_bot_mode_kiosk_makes_the_home_page_the_kiosk(engine):
    kiosk_engine = copy.copy(engine)
    kiosk_engine.settings = engine.settings.replace(mode="kiosk")
    html = html_of(create_app({"ENGINE": kiosk_engine}).test_client().get("/"))
    assert "data-kiosk" in html and 'id="start-over"' in html


def test_uk_locale_sets_the_language(engine):
    uk_engine = copy.copy(engine)
    uk_engine.settings = engine.settings.replace(locale="uk")
    html = html_of(create_app({"ENGINE": uk_engine}).test_client().get("/about"))
    assert '<html lang="en-GB">' in html and "999" in html


def test_sources_page_groups_by_design_with_dates_checked(client, engine):
    html = html_of(client.get("/sources"))
    for heading in ("Systematic reviews", "Observational studies", "Regulators and drug labels"):
        assert f">{heading}</h2>" in html
    for source in engine.knowledge.sources:
        assert str(escape(source.title)) in html
    assert '<time datetime="2026-11-01">1 November 2026</time>' in html
    assert html.index("Systematic reviews") < html.index("Observational studies")


def test_about_page_covers_method_limits_and_privacy(client):
    html = html_of(client.get("/about"))
    for heading in ("How answers are made", "What it cannot do", "Privacy"):
        assert heading in html


def test_clinician_page_has_a_labelled_form(client):
    html = html_of(client.get("/clinician"))
    assert '<label for="check-text"' in html and 'method="post"' in html and "Result</h2>" not in html


def test_clinician_check_shows_verdict_reason_rewrite_and_sources(client, engine):
    text = "Ketamine is proven to cure chronic pain."
    html = html_of(client.post("/clinician", data={"text": text}))
    result = engine.check(text)
    assert result.verdict == "overstated"
    assert "<strong>Overstated</strong>" in html and 'class="verdict-icon" aria-hidden="true"' in html
    assert str(escape(result.suggested_phrasing)) in html
    assert 'href="#chk-src-1"' in html and 'id="chk-src-1"' in html
    assert f"<strong>{result.reading_grade}</strong>" in html
    assert f">{text}</textarea>" in html  # the text stays in the box to edit


def test_clinician_check_of_several_sentences_goes_sentence_by_sentence(client):
    html = html_of(client.post("/clinician", data={"text": "Ketamine causes bladder problems. It is safe."}))
    assert "Sentence by sentence" in html and html.count('<li><q>') == 2


def test_clinician_text_is_escaped_and_empty_text_is_400(client):
    html = html_of(client.post("/clinician", data={"text": "Ketamine is <b>proven</b> to cure pain"}))
    assert "&lt;b&gt;proven&lt;/b&gt;" in html and "<b>proven" not in html
    html = html_of(client.post("/clinician", data={"text": "  "}), 400)
    assert "Please paste a sentence" in html and 'aria-invalid="true"' in html


def test_clinician_check_is_503_when_not_ready(not_ready_client):
    html_of(not_ready_client.get("/clinician"))
    assert "Not ready yet" in html_of(not_ready_client.post("/clinician", data={"text": "x"}), 503)


@pytest.mark.parametrize("path", ["/", "/kiosk", "/sources"])
def test_pages_say_not_ready_with_503(not_ready_client, path):
    html = html_of(not_ready_client.get(path), 503)
    assert "Not ready yet" in html and "python -m bot" not in html


def test_fragment_says_not_ready_in_a_short_fragment(not_ready_client):
    html = html_of(not_ready_client.post("/", data={"question": "hi"}, headers={"X-Fragment": "answer"}), 503)
    assert "<html" not in html and "not ready" in html


def test_about_works_when_not_ready(not_ready_client):
    html_of(not_ready_client.get("/about"))


def test_unknown_page_is_a_404_page(client):
    html = html_of(client.get("/no-such-page"), 404)
    assert "Page not found" in html


def test_wrong_method_on_a_page_is_405(client):
    html_of(client.post("/sources"), 405)


def test_too_large_form_is_413(client):
    html_of(client.post("/", data={"question": "x" * 20_000}), 413)


def test_head_requests_work_like_get(client):
    assert client.head("/").status_code == 200 and client.head("/kiosk").status_code == 200


def test_no_page_sets_a_cookie(client):
    for response in (client.get("/"), client.post("/", data={"question": "side effects?"}), client.get("/kiosk")):
        assert "Set-Cookie" not in response.headers


def test_sources_page_shows_public_summaries_and_never_the_curators_notes(knowledge_copy, tmp_path):
    from bot.engine import Engine, build_index
    from bot.settings import Settings
    from tests.fakes import HashEmbedder

    registry = knowledge_copy / "sources.yaml"
    text = registry.read_text()
    text = text.replace("  checked: 2026-11-01\n- id: clinic-b", "  checked: 2026-11-01\n"
                        "  note: \"[V2] sources.md had it only second-hand; not yet checked against the full review\"\n"
                        "  summary: \"A big review that pooled 67 trials of drug K.\"\n- id: clinic-b", 1)
    text = text.replace("  authors: Example C\n", "  authors: Example C (byline not recorded)\n  note: curator-only remark\n")
    text = text.replace("  journal: Regulator\n", "  journal: Regulator (read via a label-text copy)\n")
    registry.write_text(text)
    settings = Settings(knowledge_dir=knowledge_copy, index_dir=tmp_path / "index")
    build_index(settings, HashEmbedder())
    engine = Engine(settings, HashEmbedder())
    html = html_of(create_app({"ENGINE": engine}).test_client().get("/sources"))
    assert "A big review that pooled 67 trials of drug K." in html
    assert "An observational study with 1,034 people, published in 2025." in html  # no summary: made from the fields
    for note in ("[V2]", "second-hand", "not yet checked", "curator-only", "Notes from", "not recorded", "read via"):
        assert note not in html, note
    assert "Example C." in html and "Regulator, 2024." in html
