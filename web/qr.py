"""QR codes for the kiosk, drawn here as inline SVG (segno): never a question, only links.

Each code is drawn with a viewBox, so CSS can only scale it whole (never crop it), with a four-module
quiet zone and MODULE_PX pixels per module: about 8 cm across on a typical kiosk screen, which a
phone camera reads from arm's length.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import segno
from markupsafe import Markup, escape

from bot.answer.render import Citation

MODULE_PX = 6
QUIET_ZONE = 4


@dataclass(frozen=True)
class QrCode:
    url: str  # what the code holds
    svg: Markup
    title: str  # what it opens, shown beside it
    number: int | None = None  # the source's citation number, for per-source codes


def qr_svg(data: str, label: str, module_px: int = MODULE_PX) -> Markup:
    """An inline SVG QR code of `data` with an accessible name; scales without cropping."""
    qr = segno.make(data, error="m", micro=False)
    svg = qr.svg_inline(scale=1, border=QUIET_ZONE, dark="#000", light="#fff", svgclass="qr-code",
                        lineclass=None, omitsize=True)
    size = qr.symbol_size(scale=module_px, border=QUIET_ZONE)[0]
    attributes = f'role="img" aria-label="{escape(label)}" width="{size}" height="{size}" shape-rendering="crispEdges" '
    return Markup(svg.replace("<svg ", f"<svg {attributes}", 1))


def source_link(citation: Citation) -> str:
    """The publisher's or the DOI's link for a cited source (the DOI's is shorter and stable)."""
    source = citation.source
    return f"https://doi.org/{source.doi}" if source.doi else source.url


def take_home_code(url: str) -> QrCode:
    label = "QR code: a page with these summaries and their sources, to read at home"
    return QrCode(url=url, svg=qr_svg(url, label), title="These summaries and their sources")


def source_codes(citations: Sequence[Citation]) -> tuple[QrCode, ...]:
    codes = []
    for citation in citations:
        url = source_link(citation)
        if url:
            label = f"QR code: link to source {citation.n}, {citation.source.title}"
            codes.append(QrCode(url=url, svg=qr_svg(url, label), title=citation.source.title, number=citation.n))
    return tuple(codes)
