"""Pictures and PDFs of real drafts: what a reader sees is checked through the PDF's text and
the PNG's pixels, never against a stored image."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date

import pypdfium2
import pytest
from PIL import Image
from pypdf import PdfReader

from drafting.draft import Draft
from drafting.pictures import PNG_SIZE, PageMeta, alt_text, render_pdf, render_png
from drafting.pictures.engine import render_pdf_page
from drafting.pictures.page import build_page, key_result_range
from drafting.render_common import source_numbers
from tests.drafting.conftest import SUBJECT, WORKSPACE
from tests.drafting.picture_drafts import SCRIPTS, long_draft, scripts_draft

META = PageMeta(workspace="Larkspur Freight", on=date(2026, 11, 3), version=3)


def squash(text: str) -> str:
    """Text without whitespace: PDF extraction breaks lines wherever the layout wrapped them."""
    return re.sub(r"\s+", "", text)


def pdf_text(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), squash("".join(page.extract_text() for page in reader.pages))


def assert_holds_every_item_and_source(draft: Draft, text: str) -> None:
    for item in draft.items():
        assert squash(item.label) in text, item.label
        assert squash(item.text) in text, item.text
    for sid, number in source_numbers(draft).items():
        assert squash(f"[{number}]{draft.sources[sid].title}") in text


@pytest.fixture(scope="module")
def sample_swot(offline_drafter) -> Draft:  # type: ignore[no-untyped-def]
    return offline_drafter.draft_swot(WORKSPACE, SUBJECT, None)


@pytest.fixture(scope="module")
def sample_plan(offline_drafter) -> Draft:  # type: ignore[no-untyped-def]
    return offline_drafter.draft_okr(WORKSPACE, SUBJECT)


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_swot_pdf_holds_every_item_source_and_the_footer(sample_swot: Draft, paper: str) -> None:
    pages, text = pdf_text(render_pdf(sample_swot, META, paper=paper))  # type: ignore[arg-type]
    assert pages == 1
    assert_holds_every_item_and_source(sample_swot, text)
    for marks in ("Strengths", "Weaknesses", "Opportunities", "Threats", "KeyPriorities"):
        assert marks.upper() in text.upper()
    assert squash("Larkspur Freight · 3 November 2026 · version 3") in text


def test_plan_pdf_shows_objectives_key_results_metrics_and_values(sample_plan: Draft) -> None:
    pages, text = pdf_text(render_pdf(sample_plan, META, paper="a4"))
    assert pages == 1
    assert_holds_every_item_and_source(sample_plan, text)
    assert squash(sample_plan.mission or "") in text
    objectives = [s for s in sample_plan.sections if s.key not in ("metrics", "values")]
    assert objectives, "the sample plan has objectives"
    assert f"Objective{len(objectives)}" in text
    assert "METRICS" in text.upper() and "VALUES" in text.upper()
    # Key results with a baseline and a target carry them as "baseline → target".
    ranges = [key_result_range(i.text) for s in sample_plan.sections for i in s.items]
    base, target = next(r for r in ranges if r[0])
    assert squash(f"{base} → {target.split(' · ')[0]}") in text


def test_retro_pdf_lists_every_entry(offline_drafter) -> None:  # type: ignore[no-untyped-def]
    from drafting.retro_offline import parse_retro_lines

    entries = parse_retro_lines(
        "+ Shipped the carrier portal early\n- Legal review took 5 weeks\n* Ask legal early\n"
        "! Jürgen books the legal slot\n"
    )
    draft = offline_drafter.retro.draft_retro(WORKSPACE, "Sprint 42", entries)
    pages, text = pdf_text(render_pdf(draft, META, paper="letter"))
    assert pages == 1
    for item in draft.items():
        assert squash(item.text) in text


def test_swot_png_is_a_slide_with_four_tinted_quadrants(sample_swot: Draft) -> None:
    image = Image.open(io.BytesIO(render_png(sample_swot, META))).convert("RGB")
    assert image.size == PNG_SIZE == (1920, 1080)
    width, height = image.size
    # Sample the right edge of each quadrant, below the header and away from text: each
    # quadrant has its own tint, none of them white, and the page margin is white.
    points = {
        "strengths": (width * 0.47, height * 0.30),
        "weaknesses": (width * 0.96, height * 0.30),
        "opportunities": (width * 0.47, height * 0.62),
        "threats": (width * 0.96, height * 0.62),
    }
    colours = {k: image.getpixel((int(x), int(y))) for k, (x, y) in points.items()}
    assert image.getpixel((8, 8)) == (255, 255, 255)
    assert all(c != (255, 255, 255) for c in colours.values()), colours
    assert len(set(colours.values())) == 4, colours
    r, g, b = colours["strengths"]
    assert g > r  # green-ish
    r, g, b = colours["threats"]
    assert r > g and r > b  # red-ish
    r, g, b = colours["opportunities"]
    assert b > r  # blue-ish


def test_five_long_items_per_quadrant_still_fit_one_page() -> None:
    draft = long_draft()
    for paper in ("slide", "a4", "letter"):
        rendered = render_pdf_page(build_page(draft, META), paper=paper)  # type: ignore[arg-type]
        assert rendered.pages == 1, paper
        _, text = pdf_text(rendered.data)
        assert_holds_every_item_and_source(draft, text)
    assert "unverified:3%" in text
    image = Image.open(io.BytesIO(render_png(draft, META)))
    assert image.size == PNG_SIZE


def test_accents_and_other_scripts_come_out_as_text() -> None:
    draft = scripts_draft()
    _, text = pdf_text(render_pdf(draft, META))
    for key in ("strengths", "weaknesses", "threats"):
        assert squash(SCRIPTS[key]) in text
    assert "Søren" in text


def test_a_character_no_font_draws_leaves_the_rest_of_the_text_extractable() -> None:
    # U+10FFFD (private use) is in no font anywhere, so this holds with or without a CJK font:
    # WeasyPrint draws it as .notdef, which must not turn the rest of Inter's text into codes.
    draft = scripts_draft()
    item = draft.sections[0].items[0]
    item.text = f"{item.text} \U0010fffd Søren"
    pdf = render_pdf(draft, META)
    _, text = pdf_text(pdf)
    assert squash(item.text) in text
    assert squash(SCRIPTS["weaknesses"]) in text
    # PDFium, the Chrome viewer's engine, reads the same text.
    assert "Müller & Söhne" in pypdfium2.PdfDocument(pdf)[0].get_textpage().get_text_range()


@pytest.mark.skipif(
    not (
        shutil.which("fc-list")
        and subprocess.run(["fc-list", ":lang=ja"], capture_output=True, text=True).stdout.strip()
    ),
    reason="no CJK font installed (apt-get install fonts-noto-cjk; the Docker image has it)",
)
def test_japanese_is_drawn_with_a_cjk_font() -> None:
    draft = scripts_draft()
    pdf = render_pdf(draft, META)
    _, text = pdf_text(pdf)
    assert squash(SCRIPTS["opportunities"]) in text
    fonts = {
        str(font.get("/BaseFont"))
        for page in PdfReader(io.BytesIO(pdf)).pages
        for font in (page["/Resources"]["/Font"].get_object().values())
    }
    assert any("CJK" in name or "JP" in name for name in fonts), fonts
    # PDFium draws the glyphs: the rasterised page has ink where the Japanese text is.
    assert pypdfium2.PdfDocument(pdf)[0].get_textpage().get_text_range().count("日本語") == 1


def test_alt_text_names_the_draft_and_its_labels(sample_swot: Draft) -> None:
    alt = alt_text(sample_swot)
    assert alt.startswith("SWOT analysis for")
    assert "Strengths:" in alt and "Threats:" in alt
    assert len(alt) <= 1000
