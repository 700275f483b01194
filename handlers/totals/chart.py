"""/chart's pictures: progress per need and money by organisation, labelled for the reader.

Drawn with matplotlib's Agg canvas (no pyplot, no display) in the CJK font the project
installs as a dependency (Noto Sans SC from `pylopdf-fonts-zh-cn`, which covers traditional
characters too): no system font is looked up. `missing_glyphs` says which characters of the
labels the font cannot draw; a test keeps it empty for every language.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

import pylopdf_fonts_zh_cn
from fontTools.ttLib import TTFont
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import FuncFormatter

from domain.kernel.quantities import currency_exponent
from domain.totals.models import AppealTotalsView, percent
from handlers.context import Reader
from handlers.i18n import N_
from handlers.totals.render import TotalsText, money_text, quantity_text

COLOURS = ("#9DC3E6", "#2E75B6", "#1F4E79")  # pledged, delivered, received
#: Characters the font need not have: spaces and line breaks draw nothing.
BLANK = frozenset(" \n\t")


def font_path() -> Path:
    """The chart font's file, as the installed package ships it."""
    return Path(pylopdf_fonts_zh_cn.sans_path())


@cache
def _cmap() -> frozenset[int]:
    font = TTFont(font_path(), lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def missing_glyphs(labels: Iterable[str]) -> set[str]:
    """The characters of `labels` the chart font has no glyph for."""
    cmap = _cmap()
    return {c for label in labels for c in label if c not in BLANK and ord(c) not in cmap}


@dataclass
class Chart:
    """One picture's words and bars: drawn by `png`, listed by `labels` for the glyph check."""

    title: str
    axis: str
    names: list[str]
    series: list[tuple[str, list[float]]]  # (legend entry, one value per name)
    notes: list[str] = field(default_factory=list)  # the figure written at each bar group

    def labels(self) -> list[str]:
        """Every string the picture draws."""
        return [self.title, self.axis, *self.names, *(s for s, _ in self.series), *self.notes]

    def png(self) -> bytes:
        """The picture as PNG bytes."""
        font = FontProperties(fname=str(font_path()))
        height = 2.2 + 0.55 * len(self.names) * max(1, len(self.series)) / 2
        figure = Figure(figsize=(8, height), dpi=110)
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
        band = 0.8 / max(1, len(self.series))
        rows = list(range(len(self.names)))[::-1]  # the first name at the top
        for index, (legend, values) in enumerate(self.series):
            offsets = [r + 0.4 - band * (index + 0.5) for r in rows]
            axes.barh(offsets, values, height=band, label=legend,
                      color=COLOURS[index % len(COLOURS)])
        axes.set_yticks(rows, self.names, fontproperties=font)
        for row, note in zip(rows, self.notes, strict=False):
            axes.annotate(note, (0, row - 0.5), xytext=(2, 1), textcoords="offset points",
                          fontproperties=font, fontsize=7, color="#404040")
        axes.set_title(self.title, fontproperties=font)
        axes.set_xlabel(self.axis, fontproperties=font)
        axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
        axes.legend(prop=font, loc="upper center", bbox_to_anchor=(0.5, -0.22),
                    ncol=len(self.series), frameon=False)
        axes.set_ylim(-0.6, len(self.names) - 0.4)
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="png")
        return out.getvalue()


class ChartWriter:
    """Builds one reader's charts of an appeal (what they may see of it, in their words)."""

    def __init__(self, reader: Reader) -> None:
        self._reader = reader
        self._text = TotalsText(reader)

    def charts(self, view: AppealTotalsView) -> list[Chart]:
        """Progress per need, and money by organisation; those with nothing to show left out."""
        return [c for c in (self.needs(view), self.organisations(view)) if c is not None]

    def needs(self, view: AppealTotalsView) -> Chart | None:
        """Each need: pledged, delivered and received as a percentage of its target."""
        if not view.needs:
            return None
        t, style = self._reader.t, self._text.style
        appeal = view.appeal
        parts: list[list[float]] = [[], [], []]
        notes = []
        for need, sums in view.needs:
            for part, value in zip(parts, (sums.pledged, sums.delivered, sums.received),
                                   strict=True):
                part.append(float(percent(value, need.target) or 0))
            notes.append(t(N_("{pledged} of {target}"),
                           pledged=quantity_text(sums.pledged, need.unit, style),
                           target=quantity_text(need.target, need.unit, style)))
        return Chart(
            t(N_("Appeal #{number} {title}: progress of each need"), number=appeal.id,
              title=appeal.title),
            t(N_("% of the target")),
            [need.item for need, _ in view.needs],
            [(t(N_("Pledged")), parts[0]), (t(N_("Delivered")), parts[1]),
             (t(N_("Received")), parts[2])],
            notes,
        )

    def organisations(self, view: AppealTotalsView) -> Chart | None:
        """Money pledged and delivered by each line of the breakdown by organisation."""
        currency = view.appeal.currency
        lines = [line for line in view.organisations if line.figures.money]
        if not lines:
            return None
        t, style = self._reader.t, self._text.style
        pledged = [line.figures.money_in(currency).pledged_minor for line in lines]
        delivered = [line.figures.money_in(currency).delivered_minor for line in lines]
        return Chart(
            t(N_("Appeal #{number} {title}: money by organisation"), number=view.appeal.id,
              title=view.appeal.title),
            t(N_("Amount ({currency})"), currency=currency),
            [self._text.line_name(line) for line in lines],
            [(t(N_("Pledged")), [_major(v, currency) for v in pledged]),
             (t(N_("Delivered")), [_major(v, currency) for v in delivered])],
            [money_text(v, currency, style, line.figures.money_in(currency).approximate)
             for v, line in zip(pledged, lines, strict=True)],
        )


def _major(minor: int, currency: str) -> float:
    """Minor units as major ones for the axis (a chart needs no exact cents)."""
    return float(Decimal(minor).scaleb(-currency_exponent(currency)))
