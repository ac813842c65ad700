"""Pictures and printable pages of drafts: one set of HTML/CSS templates, PNG and PDF out.

Charts of OKR progress over time (the OKR-tracking issue) are not here yet: they would add a
template (`progress.html.j2`) and a page builder next to `page.build_page`, and render through
the same `engine.render_pdf_page`.
"""

from drafting.pictures.engine import PNG_SIZE, Paper, render_pdf, render_png
from drafting.pictures.page import PageMeta, alt_text

__all__ = ["PNG_SIZE", "PageMeta", "Paper", "alt_text", "render_pdf", "render_png"]
