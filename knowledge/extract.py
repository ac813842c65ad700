"""Turn the bytes of a supported file into text blocks (with page numbers where a format has them)."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from knowledge.errors import IngestError

SUPPORTED = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
    ".docx": "docx",
    ".csv": "csv",
}
CONTENT_TYPES = {
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "text/csv": "csv",
}
SUPPORTED_LIST = ", ".join(
    sorted({ext for ext in SUPPORTED if ext not in (".text", ".markdown", ".htm")})
)
# A .docx is a zip: refuse archives that would inflate far past the upload limit.
MAX_UNZIP_RATIO = 5
HTML_NOISE = (
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "svg",
    "iframe",
    "template",
    "button",
)
HTML_BLOCKS = (
    "p",
    "div",
    "li",
    "tr",
    "ul",
    "ol",
    "table",
    "section",
    "article",
    "pre",
    "blockquote",
    "dd",
    "dt",
    "dl",
    "figcaption",
)


@dataclass(frozen=True)
class Block:
    text: str
    page: int | None = None
    # Set only for knowledge handed over already in pieces (a final draft's items): the
    # section a piece belongs to, and the chunk ids of the documents it came from.
    section: str | None = None
    origins: tuple[str, ...] = ()


@dataclass
class Extracted:
    kind: str  # text | markdown | html | pdf | docx | csv
    blocks: list[Block]
    title: str | None = None
    pages: int | None = None
    # Markdown headings in the text mark sections (true for markdown, html and docx output).
    has_headings: bool = False


def detect_format(filename: str, data: bytes, content_type: str | None = None) -> str:
    suffix = PurePosixPath(filename.lower()).suffix
    if suffix in SUPPORTED:
        return SUPPORTED[suffix]
    if content_type:
        base = content_type.split(";")[0].strip().lower()
        if base in CONTENT_TYPES:
            return CONTENT_TYPES[base]
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK") and b"word/" in data[:4096]:
        return "docx"
    raise IngestError(
        f"“{filename}” is not a supported type. Supported: {SUPPORTED_LIST}, pasted text and "
        "web pages (URLs)."
    )


def extract(
    *, filename: str, data: bytes, kind: str, max_bytes: int, charset: str | None = None
) -> Extracted:
    if kind == "pdf":
        return _pdf(filename, data)
    if kind == "docx":
        return _docx(filename, data, max_bytes)
    text = decode_text(filename, data, charset)
    if kind == "html":
        return _html(text)
    if kind == "csv":
        return _csv(filename, text)
    if kind == "markdown":
        return Extracted(kind, [Block(text)], title=markdown_title(text), has_headings=True)
    return Extracted(kind, [Block(text)])


def decode_text(filename: str, data: bytes, charset: str | None = None) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        charset = "utf-16"
    try:
        text = data.decode(charset or "utf-8-sig")
    except (UnicodeDecodeError, LookupError) as exc:
        where = f" at byte {exc.start}" if isinstance(exc, UnicodeDecodeError) else ""
        raise IngestError(
            f"“{filename}” is not valid {charset or 'UTF-8'} text{where}. "
            "Save it as UTF-8 and add it again."
        ) from exc
    if "\x00" in text:
        raise IngestError(f"“{filename}” looks like a binary file, not text.")
    return text


def markdown_title(text: str) -> str | None:
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip() or None
    return None


def _html(text: str) -> Extracted:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else None
    for tag in soup(HTML_NOISE):
        tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    for level in range(1, 7):
        for heading in root.find_all(f"h{level}"):
            words = heading.get_text(" ", strip=True)
            heading.replace_with(f"\n\n{'#' * level} {words}\n\n" if words else "")
    for br in root.find_all("br"):
        br.replace_with("\n")
    # Line breaks only around block elements, so inline markup (<b>, <a>) stays in its sentence.
    for tag in root.find_all(HTML_BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    for cell in root.find_all(("td", "th")):
        cell.insert_after(" ")
    lines = [" ".join(line.split()) for line in root.get_text().splitlines()]
    body = _join_paragraphs(lines)
    return Extracted("html", [Block(body)], title=title or markdown_title(body), has_headings=True)


def _join_paragraphs(lines: list[str]) -> str:
    out: list[str] = []
    for line in lines:
        if line:
            out.append(line)
        elif out and out[-1] != "":
            out.append("")
    return "\n".join(out).strip()


def _pdf(filename: str, data: bytes) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError(
                f"“{filename}” is a password-protected PDF. Remove the password and add it again."
            )
        blocks = [
            Block(page.extract_text() or "", page=number)
            for number, page in enumerate(reader.pages, start=1)
        ]
        meta_title = reader.metadata.title if reader.metadata else None
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise IngestError(f"“{filename}” is not a readable PDF ({exc}).") from exc
    if not any(b.text.strip() for b in blocks):
        raise IngestError(f"“{filename}” has no extractable text (a scanned PDF needs OCR first).")
    return Extracted(
        "pdf", blocks, title=str(meta_title) if meta_title else None, pages=len(blocks)
    )


def _docx(filename: str, data: bytes, max_bytes: int) -> Extracted:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise IngestError(f"“{filename}” is not a valid .docx file.") from exc
    if inflated > max_bytes * MAX_UNZIP_RATIO:
        raise IngestError(
            f"“{filename}” expands to {inflated / 1e6:.0f} MB when unzipped; the limit is "
            f"{max_bytes * MAX_UNZIP_RATIO / 1e6:.0f} MB."
        )
    import docx

    try:
        document: Any = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several unrelated types on a broken package
        raise IngestError(f"“{filename}” is not a valid .docx file ({exc}).") from exc
    lines = [_docx_line(item) for item in document.iter_inner_content()]
    body = _join_paragraphs("\n".join(lines).splitlines())
    title = document.core_properties.title or markdown_title(body)
    return Extracted("docx", [Block(body)], title=title or None, has_headings=True)


def _docx_line(item: Any) -> str:
    from docx.table import Table

    if isinstance(item, Table):
        rows = [[cell.text.strip() for cell in row.cells] for row in item.rows]
        return "\n".join(_row_facts(rows[0], rows[1:])) + "\n" if rows else ""
    text = item.text.strip()
    style = (item.style.name if item.style is not None else "") or ""
    if text and style == "Title":
        return f"\n# {text}\n"
    if text and style.startswith("Heading "):
        level = style.removeprefix("Heading ").strip()
        depth = int(level) if level.isdigit() else 1
        return f"\n{'#' * min(depth + 1, 6)} {text}\n"
    return text + "\n" if text else ""


def _csv(filename: str, text: str) -> Extracted:
    sample = text[:4096]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = [row for row in csv.reader(io.StringIO(text), dialect) if any(c.strip() for c in row)]
    if not rows:
        return Extracted("csv", [Block("")])
    header, body = rows[0], rows[1:]
    if not body:
        raise IngestError(f"“{filename}” has a header row but no data rows.")
    return Extracted("csv", [Block("\n".join(_row_facts(header, body)))])


def _row_facts(header: list[str], rows: list[list[str]]) -> list[str]:
    """Each row as one self-contained fact, so a chunk never loses its column names."""
    names = [h.strip() or f"column {i + 1}" for i, h in enumerate(header)]
    facts = []
    for row in rows:
        pairs = [
            f"{names[i] if i < len(names) else f'column {i + 1}'}: {v.strip()}"
            for i, v in enumerate(row)
            if v.strip()
        ]
        if pairs:
            facts.append("; ".join(pairs) + ".")
    return facts
