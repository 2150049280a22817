"""The evidence grid drawn as an inline SVG, here on the server: no chart library, no CDN.

Conditions run down, medicines across. Each cell has the finding's colour, its symbol (+ = ? ±) and
four certainty boxes; the same facts are in words in the table beside it, which is what assistive
technology reads (the drawing is aria-hidden, and its links are for pointers only: the table's
links are the keyboard's). Colours come from site.css classes, so dark mode changes them too.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

from web.evidence import Cell, Grid

LABEL_W, HEAD_H, CELL, GAP = 270, 170, 58, 8
PITCH = CELL + GAP
PIP, PIP_GAP = 9, 4  # the four certainty boxes along the bottom of a cell


def chart_svg(grid: Grid, link: Callable[[tuple[str, ...]], str], certainty_label: Callable[[str], str]) -> Markup:
    columns, rows = grid.rows, grid.conditions
    width = LABEL_W + len(columns) * PITCH + 120  # room for the last heading, which leans right
    height = HEAD_H + len(rows) * PITCH + 4
    parts = [f'<svg class="evidence-chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'aria-hidden="true" focusable="false">']
    for i, column in enumerate(columns):
        x = LABEL_W + i * PITCH + CELL / 2
        parts.append(f'<text class="ev-axis" transform="translate({x + 6:.0f} {HEAD_H - 10}) rotate(-50)">'
                     f'{escape(column.short_label)}</text>')
    for j, condition in enumerate(rows):
        y = HEAD_H + j * PITCH
        parts.append(f'<text class="ev-axis" x="{LABEL_W - 12}" y="{y + CELL / 2 + 6:.0f}" text-anchor="end">'
                     f'{escape(grid.condition_label(condition))}</text>')
        for i, column in enumerate(columns):
            parts.append(_cell(column.cells[j], LABEL_W + i * PITCH, y, link, certainty_label))
    parts.append("</svg>")
    return Markup("".join(parts))


def _cell(cell: Cell | None, x: int, y: int, link, certainty_label) -> str:
    if cell is None:
        return f'<rect class="ev-empty" x="{x + 2}" y="{y + 2}" width="{CELL - 4}" height="{CELL - 4}" rx="6"/>'
    title = f"{cell.label}, {certainty_label(cell.certainty).lower()} certainty"
    pips = []
    left = x + (CELL - (4 * PIP + 3 * PIP_GAP)) / 2
    for step in range(4):
        filled = " ev-pip-filled" if step < cell.steps else ""
        pips.append(f'<rect class="ev-pip{filled}" x="{left + step * (PIP + PIP_GAP):.1f}" y="{y + CELL - PIP - 7}" '
                    f'width="{PIP}" height="{PIP}" rx="1"/>')
    return (f'<a href="{escape(link(cell.snippet_ids))}" tabindex="-1"><title>{escape(title)}</title>'
            f'<rect class="ev-cell ev-{cell.finding}" x="{x}" y="{y}" width="{CELL}" height="{CELL}" rx="6"/>'
            f'<text class="ev-symbol" x="{x + CELL / 2:.0f}" y="{y + 31}" text-anchor="middle">{escape(cell.symbol)}</text>'
            f'{"".join(pips)}</a>')
