"""The take-home page (/take-home?s=<snippet ids>&v=<knowledge version>) and the kiosk's QR codes."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import escape

from bot.errors import SettingsError
from web import create_app, default_config
from web.qr import qr_svg, source_codes
from web.takehome import knowledge_version

CANARY = "zebra-canary-7734"


def version(engine) -> str:
    return knowledge_version(engine.knowledge)


def test_the_page_shows_the_snippets_with_their_sources_and_titles(client, engine):
    response = client.get(f"/take-home?s=fibro,bladder&v={version(engine)}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    for snippet_id in ("fibro", "bladder"):
        snippet = engine.knowledge.snippet(snippet_id)
        assert f">{escape(snippet.title)}</h2>" in html and escape(snippet.body[:40]) in html
        for source_id in snippet.sources:
            assert str(escape(engine.knowledge.source(source_id).title)) in html
    assert 'href="#th-src-1"' in html and 'id="th-src-1"' in html
    assert "How sure is this?" in html and "Checked: <time" in html
    assert "updated since" not in html and "no longer" not in html
    assert 'class="button secondary print-page" hidden' in html  # the script shows it where printing works


def test_a_link_from_an_earlier_version_says_so_and_shows_todays_snippets(client):
    html = client.get("/take-home?s=fibro&v=0123456789ab").get_data(as_text=True)
    assert "updated since this link was made" in html and "Ketamine for fibromyalgia" in html


def test_unknown_ids_are_left_out_and_said(client, engine):
    response = client.get(f"/take-home?s=fibro,gone-now,also-gone&v={version(engine)}")
    assert response.status_code == 200
    assert "2 summaries in this link are no longer in our evidence library" in response.get_data(as_text=True)


def test_only_unknown_ids_is_a_404_with_a_clear_message(client):
    response = client.get("/take-home?s=gone-now")
    assert response.status_code == 404 and "could not find the summaries" in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["", "?s=", "?s=,,", "?s=<script>", "?s=a%00b", "?s=" + ",".join(["x"] * 11),
                                   "?s=fibro&v=<b>", "?s=fibro&v=" + "f" * 65, f"?s={'a' * 81}"])
def test_malformed_links_are_a_400_with_a_clear_message(client, query):
    response = client.get("/take-home" + query)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "<script>" not in html
    assert "scan the code again" in html.lower()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(s=st.text(max_size=120), v=st.one_of(st.none(), st.text(max_size=80)))
def test_no_take_home_link_is_ever_a_500(client, s, v):
    params = {"s": s} if v is None else {"s": s, "v": v}
    response = client.get("/take-home", query_string=params)
    assert response.status_code in (200, 400, 404)


def test_the_page_never_shows_what_was_typed_in_the_link(client):
    html = client.get(f"/take-home?s=fibro&q={CANARY}&v={CANARY}").get_data(as_text=True)
    assert CANARY not in html


def test_with_a_public_url_the_kiosk_shows_one_code_for_the_take_home_page(engine):
    app = create_app({"ENGINE": engine, "RATE_LIMIT": "", "PUBLIC_URL": "https://clinic.example.org/ketamine"})
    html = app.test_client().post("/kiosk", data={"question": f"Does ketamine help fibro {CANARY}?"},
                                  follow_redirects=True).get_data(as_text=True)
    ids = ",".join(p.snippet.id for p in engine.ask(f"Does ketamine help fibro {CANARY}?", mode="kiosk").parts)
    url = f"https://clinic.example.org/ketamine/take-home?s={ids}&v={version(engine)}"
    assert html.count('class="qr-code"') == 1 and str(qr_svg(url, "x")).split('aria-label="x" ')[1] in html
    assert "Scan with your phone" in html


def test_without_a_public_url_each_source_has_its_own_code(client, engine):
    question = "is the drip better than a dummy treatment"
    html = client.post("/kiosk", data={"question": question}, follow_redirects=True).get_data(as_text=True)
    codes = source_codes(engine.ask(question, mode="kiosk").citations)
    assert len(codes) == 2 and html.count('class="qr-code"') == 2
    for code in codes:
        assert str(code.svg) in html
        assert re.search(rf'<span class="qr-number">{code.number}\.</span> <cite>{re.escape(str(escape(code.title)))}</cite>', html)
    assert {c.url for c in codes} == {"https://doi.org/10.1000/fixture.1", "https://pubmed.ncbi.nlm.nih.gov/123456/"}


def test_qr_codes_scale_whole_and_keep_their_quiet_zone():
    svg = str(qr_svg("https://doi.org/10.1000/fixture.1", "QR code: a test"))
    modules = int(re.search(r'viewBox="0 0 (\d+) \1"', svg).group(1))
    assert f'width="{modules * 6}" height="{modules * 6}"' in svg  # 6 px a module, drawn whole by its viewBox
    assert 'role="img" aria-label="QR code: a test"' in svg and 'shape-rendering="crispEdges"' in svg


@pytest.mark.parametrize("value, expected", [
    ("https://clinic.example.org/", "https://clinic.example.org"), ("http://10.0.0.5:8000", "http://10.0.0.5:8000"),
    ("", ""),
])
def test_public_url_from_the_environment(value, expected):
    assert default_config({"BOT_PUBLIC_URL": value})["PUBLIC_URL"] == expected


@pytest.mark.parametrize("value", ["clinic.example.org", "javascript:alert(1)", "https://a b"])
def test_a_public_url_that_is_no_web_address_stops_with_one_line_naming_it(value):
    with pytest.raises(SettingsError, match="^BOT_PUBLIC_URL="):
        default_config({"BOT_PUBLIC_URL": value})


def test_patient_answers_link_to_their_take_home_page(client, engine):
    html = client.post("/", data={"question": "Does ketamine help fibro?"}).get_data(as_text=True)
    link = f"/take-home?s=fibro&amp;v={version(engine)}"
    assert f'<a class="take-home-link" href="{link}">' in html and f'data-share-url="{link}"' in html
