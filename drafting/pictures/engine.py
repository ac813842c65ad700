"""Draft pages to HTML (Jinja2), PDF (WeasyPrint) and PNG (pypdfium2), shrinking type to fit.

One set of templates serves every kind and every output: the PNG is the slide-sized PDF page
rasterised, so the picture in Slack and the printed page never disagree.
"""

from __future__ import annotations

import fcntl
import io
import logging
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import jinja2
import pypdfium2

from drafting.draft import Draft
from drafting.pictures.missing_glyphs import identity_encode_fonts
from drafting.pictures.page import Page, PageMeta, build_page

if TYPE_CHECKING:
    # Imported where a page is drawn: loading Pango and Cairo takes over a second, and most
    # processes that import drafting (the serving front, every CLI command) never draw.
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

Paper = Literal["slide", "a4", "letter"]
TEMPLATES = Path(__file__).parent / "templates"
# Landscape: a SWOT grid and a four-column plan read best wide, and a slide is wide.
PAPERS: dict[str, tuple[float, float]] = {  # width, height in points (1/72 in)
    "slide": (960.0, 540.0),  # 13.333 × 7.5 in, PowerPoint's and Google Slides' 16:9
    "a4": (841.89, 595.28),
    "letter": (792.0, 612.0),
}
PNG_SCALE = 2.0  # the slide at 144 dpi: 1920 × 1080 pixels
PNG_SIZE = (round(PAPERS["slide"][0] * PNG_SCALE), round(PAPERS["slide"][1] * PNG_SCALE))
# Type sizes (pt) tried from the largest that the text's length allows, down to the smallest
# still legible when printed; below it the page flows onto a second one rather than vanish.
MAX_PT, MIN_PT, STEP_PT = 11.0, 5.5, 0.5
# The weights page.css.j2 uses; each is a static font made once (see _inter_faces).
FACES = [("normal", 400), ("normal", 600), ("normal", 700), ("italic", 400)]
_INTER_VERSION = "4.1"
# WeasyPrint and fontTools narrate every step at INFO; a render is not news.
for _name in ("weasyprint", "weasyprint.progress", "fontTools"):
    logging.getLogger(_name).setLevel(logging.WARNING)
# WeasyPrint's layout is not documented as thread-safe; drafts render one at a time.
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Rendered:
    data: bytes
    pages: int
    font_pt: float


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["cssstring"] = _css_string
    return env


def _css_string(text: str) -> str:
    """Text for a CSS `content: "…"` (the footer lives in the page's margin boxes)."""
    return "".join(c if c.isprintable() and c not in '"\\' else f"\\{ord(c):x} " for c in text)


@cache
def _fonts() -> tuple[FontConfiguration, weasyprint.CSS]:
    """Inter ships as a Python package, so every machine draws the same letters; CJK and other
    scripts fall back to the system's fonts through fontconfig (fonts-noto-cjk in the image)."""
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    config = FontConfiguration()
    faces = [
        f"@font-face {{ font-family: 'Inter'; src: url('{path.as_uri()}'); "
        f"font-weight: {weight}; font-style: {style}; }}"
        for path, weight, style in _inter_faces()
    ]
    return config, weasyprint.CSS(string="\n".join(faces), font_config=config)


def _inter_faces() -> list[tuple[Path, int, str]]:
    """Static instances of the variable Inter, made once per machine (about 5 s each; the
    Docker image makes them at build time): WeasyPrint would otherwise instantiate the variable
    font for every weight of every PDF, about 60 ms each time."""
    try:
        import fontpkg_inter
    except ImportError:  # the page still renders, in the system's sans-serif
        return []
    files = Path(fontpkg_inter.ROOT) / "files"
    cache_dir = Path(tempfile.gettempdir()) / f"alignbot-fonts-{_INTER_VERSION}"
    cache_dir.mkdir(parents=True, exist_ok=True)
    faces = [(cache_dir / f"Inter-{style}-{weight}.ttf", weight, style) for style, weight in FACES]
    missing = [face for face in faces if not face[0].exists()]
    while missing:
        # Several processes starting at once (test workers, replicas) share the work: each
        # makes a face no other is making, then waits for the rest, so no face is made twice.
        busy = []
        for face in missing:
            with (cache_dir / f"{face[0].name}.lock").open("a") as lock:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    busy.append(face)
                    continue
                if not face[0].exists():
                    _make_face(files, *face)
        missing = [face for face in busy if not face[0].exists()]
        if missing:
            time.sleep(0.1)
    return faces


def _make_face(files: Path, target: Path, weight: int, style: str) -> None:
    from fontTools.ttLib import TTFont
    from fontTools.varLib.instancer import instantiateVariableFont

    source = files / (
        "Inter-Italic[opsz,wght].ttf" if style == "italic" else "Inter[opsz,wght].ttf"
    )
    font = instantiateVariableFont(TTFont(source), {"wght": weight, "opsz": 14}, inplace=True)
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    font.save(partial)
    partial.replace(target)  # atomic: a reader never sees half a file


def inter_files() -> dict[tuple[str, int], Path]:
    """The static Inter faces by (style, weight), for pictures drawn without WeasyPrint (the
    progress chart); empty when the font package is missing."""
    return {(style, weight): path for path, weight, style in _inter_faces()}


def warm() -> None:
    """Make the fonts and lay out one page, so the first draft of a process is not the slow one."""
    _fonts()


def starting_size(page: Page, paper: Paper) -> float:
    """A first guess from how much text there is, so most pages lay out once or twice."""
    width, height = PAPERS[paper]
    area = width * height / (960.0 * 540.0)
    weight = max(page.text_weight, 1)
    # About 3,200 characters fill a slide at 9 pt; type area grows with the square of the size.
    guess = 9.0 * (3200.0 * area / weight) ** 0.5
    return max(MIN_PT, min(MAX_PT, round(guess * 2) / 2))


def render_html(
    page: Page, *, paper: Paper, font_pt: float, grow: list[float] | None = None
) -> str:
    width, height = PAPERS[paper]
    template = _environment().get_template(f"{page.kind}.html.j2")
    return template.render(
        page=page,
        paper=paper,
        width=width,
        height=height,
        font_pt=font_pt,
        print=paper != "slide",
        grow=[round(h, 1) for h in grow] if grow else None,
    )


@dataclass(frozen=True)
class _Layout:
    document: weasyprint.document.Document
    font_pt: float
    used_pt: float  # content height, over every page
    free_pt: float  # room left under the content on the last page
    rows_pt: list[float]  # the heights of the rows that grow to fill the page (the grid's)

    @property
    def pages(self) -> int:
        return len(self.document.pages)


def _layout(page: Page, paper: Paper, font_pt: float, grow: list[float] | None = None) -> _Layout:
    import weasyprint

    config, faces = _fonts()
    source = render_html(page, paper=paper, font_pt=font_pt, grow=grow)
    document = weasyprint.HTML(string=source, base_url=str(TEMPLATES)).render(
        stylesheets=[faces], font_config=config
    )
    used = free = 0.0
    rows: list[float] = []
    for number, rendered in enumerate(document.pages):
        box = rendered._page_box  # WeasyPrint's layout tree: the only place heights are known
        body = box.children[0].children[0]
        bottom = body.position_y + body.margin_height()
        area_top = box.margin_top
        area_bottom = box.margin_height() - box.margin_bottom
        used += bottom - area_top
        if number == len(document.pages) - 1:
            free = area_bottom - bottom
        if number == 0:
            rows = _grow_rows(body)
    px = 0.75  # WeasyPrint lays out in CSS pixels; the page sizes here are points
    return _Layout(document, font_pt, used * px, max(free, 0.0) * px, [r * px for r in rows])


def _grow_rows(root: Any) -> list[float]:
    """Heights of the boxes marked `grow`, in document order."""
    found: list[float] = []
    stack = [root]
    while stack:
        box = stack.pop()
        element = getattr(box, "element", None)
        classes = (element.get("class") or "").split() if element is not None else []
        if box.element_tag == "tr" and "grow" in classes:
            found.append(float(box.border_height()))
            continue
        stack.extend(reversed(getattr(box, "children", [])))
    return found


def _fit(page: Page, paper: Paper) -> _Layout:
    """The largest type size (≤ MAX_PT) that keeps the page on one sheet, in few layouts:
    each try scales the size by the square root of the room over the text's height."""
    size = starting_size(page, paper)
    best = _layout(page, paper, size)
    room = best.used_pt + best.free_pt if best.pages == 1 else 0.0
    for _ in range(6):
        if best.pages > 1:
            if size <= MIN_PT:
                break
            area = _area_height(paper)
            guess = size * (area / max(best.used_pt, 1.0)) ** 0.5
            size = max(MIN_PT, min(size - STEP_PT, _floor_step(guess)))
            best = _layout(page, paper, size)
            continue
        room = best.used_pt + best.free_pt
        grow = _floor_step(size * (room / max(best.used_pt, 1.0)) ** 0.5 * 0.97)
        if best.free_pt < room * 0.12 or grow <= size or size >= MAX_PT:
            break
        bigger = _layout(page, paper, min(MAX_PT, grow))
        if bigger.pages > 1:
            break
        best, size = bigger, bigger.font_pt
    return best


def _area_height(paper: Paper) -> float:
    return PAPERS[paper][1] - 44.0  # the @page top and bottom margins in page.css.j2


def _floor_step(size: float) -> float:
    return int(size / STEP_PT) * STEP_PT


def render_pdf_page(page: Page, *, paper: Paper = "a4", full_fonts: bool = False) -> Rendered:
    """The page as PDF at the largest type size that keeps it on one sheet, its grid stretched
    to fill the sheet. `full_fonts` embeds whole fonts instead of subsets: for a PDF that is
    only rasterised, since subsetting Inter costs 0.5-1 s of fontTools per face and render."""
    with _LOCK:
        fitted = _fit(page, paper)
        if fitted.pages == 1 and fitted.rows_pt and fitted.free_pt > 3.0:
            extra = (fitted.free_pt - 1.0) / len(fitted.rows_pt)
            stretched = _layout(page, paper, fitted.font_pt, [h + extra for h in fitted.rows_pt])
            if stretched.pages == 1:
                fitted = stretched
        # Text in a script no installed font covers must not make the rest unextractable.
        data = fitted.document.write_pdf(finisher=identity_encode_fonts, full_fonts=full_fonts)
    return Rendered(data=data or b"", pages=fitted.pages, font_pt=fitted.font_pt)


def pdf_to_png(pdf: bytes, *, scale: float = PNG_SCALE) -> bytes:
    """The first page of a PDF as a PNG (PDFium draws it; no browser, no Ghostscript)."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        bitmap = document[0].render(scale=scale, may_draw_forms=False)
        image = bitmap.to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=False, compress_level=6)
        return out.getvalue()
    finally:
        document.close()


def render_pdf(draft: Draft, meta: PageMeta, *, paper: Paper = "a4") -> bytes:
    return render_pdf_page(build_page(draft, meta), paper=paper).data


def render_png(draft: Draft, meta: PageMeta) -> bytes:
    """The slide-sized picture of a draft, 1920 × 1080."""
    return pdf_to_png(render_pdf_page(build_page(draft, meta), paper="slide", full_fonts=True).data)


def today_meta(workspace: str, version: int | None = None) -> PageMeta:
    return PageMeta(workspace=workspace, on=date.today(), version=version)
