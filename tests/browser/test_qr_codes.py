"""The kiosk's take-home QR codes, scanned: a screenshot of the answer is decoded with zbar (zbarimg)
and every code must hold the link it promises, never the question."""

import shutil
import subprocess
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import serve
from tests.browser.support import SIZES, ask, box, context_at
from web import create_app
from web.qr import MODULE_PX
from web.takehome import knowledge_version

pytestmark = pytest.mark.browser

CANARY = "zebra-canary-7734"
QUESTION = f"Does ketamine help fibro {CANARY}?"


def decode(png_path) -> list[str]:
    """Every QR code zbar finds in the image, as text."""
    zbarimg = shutil.which("zbarimg")
    if zbarimg is None:
        pytest.fail("zbarimg is missing: install it with: apt-get install -y zbar-tools", pytrace=False)
    found = subprocess.run([zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(png_path)],
                           capture_output=True, text=True, timeout=60)
    return [line for line in found.stdout.splitlines() if line]


@pytest.fixture(scope="module")
def public_kiosk(engine):
    """A kiosk whose clinic deployment (BOT_PUBLIC_URL) is this same test server."""
    app = create_app({"ENGINE": engine, "RATE_LIMIT": ""})
    with serve(app) as url:
        app.config["PUBLIC_URL"] = url
        yield url


@pytest.mark.parametrize("zoom", [1, 2])
@pytest.mark.parametrize("question", [QUESTION, f"what are the side effects {CANARY}",
                                      f"is the drip better than a dummy treatment {CANARY}"])
def test_without_a_public_url_each_source_has_a_code_that_scans(browser, live_url, engine, tmp_path, zoom, question):
    context = context_at(browser, SIZES["kiosk-portrait"], zoom)
    page = context.new_page()
    page.goto(live_url + "/kiosk")
    card, _ = ask(page, question)
    codes = card.locator(".qr-item")
    citations = engine.ask(question, mode="kiosk").citations
    expected = {c.source.url if not c.source.doi else f"https://doi.org/{c.source.doi}" for c in citations}
    assert codes.count() == len(citations) >= 1
    for i in range(codes.count()):  # each code has its source's number and title beside it
        citation = citations[i]
        assert codes.nth(i).inner_text().split()[:1] == [f"{citation.n}."]
        assert citation.source.title in codes.nth(i).inner_text()
    shot = tmp_path / "kiosk-answer.png"
    card.screenshot(path=str(shot))
    decoded = decode(shot)
    print(f"\nzbarimg at {zoom}x decoded: {decoded}")
    assert sorted(decoded) == sorted(expected)
    assert not any(CANARY in text for text in decoded)
    context.close()


def test_with_a_public_url_one_code_opens_the_take_home_page(browser, public_kiosk, engine, tmp_path):
    context = context_at(browser, SIZES["kiosk-landscape"])
    page = context.new_page()
    page.goto(public_kiosk + "/kiosk")
    card, _ = ask(page, QUESTION)
    assert card.locator("svg.qr-code").count() == 1
    shot = tmp_path / "kiosk-public.png"
    page.screenshot(path=str(shot), full_page=True)
    decoded = decode(shot)
    print(f"\nzbarimg decoded: {decoded}")
    assert len(decoded) == 1 and CANARY not in decoded[0]
    url = urlsplit(decoded[0])
    query = parse_qs(url.query)
    answer = engine.ask(QUESTION, mode="kiosk")
    assert f"{url.scheme}://{url.netloc}" == public_kiosk and url.path == "/take-home"
    assert query == {"s": [",".join(p.snippet.id for p in answer.parts)], "v": [knowledge_version(engine.knowledge)]}
    # The phone opens it: the same summaries with their sources, and nothing of the question.
    phone = context_at(browser, SIZES["phone"])
    take_home = phone.new_page()
    response = take_home.goto(decoded[0])
    assert response.status == 200
    text = take_home.locator("main").inner_text()
    for part in answer.parts:
        assert part.snippet.title in text
    for citation in answer.citations:
        assert citation.source.title in text
    assert CANARY not in take_home.content() and "fibro " not in take_home.content()
    phone.close()
    context.close()


def test_codes_are_big_enough_for_a_phone_at_arms_length_and_never_cropped(browser, live_url):
    context = context_at(browser, SIZES["kiosk-portrait"])
    page = context.new_page()
    page.goto(live_url + "/kiosk")
    card, _ = ask(page, QUESTION)
    for i in range(card.locator("svg.qr-code").count()):
        svg = card.locator("svg.qr-code").nth(i)
        modules = int(svg.get_attribute("viewBox").split()[2])
        drawn = box(svg)
        assert drawn["width"] == drawn["height"] == modules * MODULE_PX  # whole, square, 6 px a module
        assert drawn["width"] >= 200  # about 5 cm or more on a kiosk screen
    context.close()
