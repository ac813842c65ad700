"""Pictures and printable pages of drafts: one set of HTML/CSS templates, PNG and PDF out.

An adopted plan's progress over time is a chart (`chart.py`, `templates/progress.html.j2`),
drawn from plain dates and fractions by the same engine.
"""

from drafting.pictures.chart import CHART_SIZE, ChartData, chart_alt_text, render_progress_chart
from drafting.pictures.engine import PNG_SIZE, Paper, render_pdf, render_png
from drafting.pictures.page import PageMeta, alt_text

__all__ = [
    "CHART_SIZE",
    "PNG_SIZE",
    "ChartData",
    "PageMeta",
    "Paper",
    "alt_text",
    "chart_alt_text",
    "render_pdf",
    "render_png",
    "render_progress_chart",
]
