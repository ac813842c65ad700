"""Split extracted text into chunks that know their section title and page."""

from __future__ import annotations

from dataclasses import dataclass

from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter

from knowledge.extract import Extracted

HEADERS = [("#", "h1"), ("##", "h2"), ("###", "h3"), ("####", "h4")]


@dataclass(frozen=True)
class Chunk:
    text: str
    section: str | None = None
    page: int | None = None
    # Chunk ids of the documents this text came from (a final draft's item): drafts that use
    # it cite those documents, not the draft.
    origins: tuple[str, ...] = ()

    def embedding_text(self, title: str) -> str:
        # A chunk cut from the middle of a section still carries what it is about.
        context = " — ".join(p for p in (title, self.section) if p)
        return f"{context}\n{self.text}" if context else self.text


def chunk_id(doc_id: str, n: int) -> str:
    return f"{doc_id}#{n}"


def split(extracted: Extracted, *, chunk_size: int, overlap: int) -> list[Chunk]:
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=chunk_size,
        chunk_overlap=overlap,
        separators=["\n\n", "\n", ". ", "; ", ", ", " ", ""],
        keep_separator="end",
    )
    chunks: list[Chunk] = []
    for block in extracted.blocks:
        if not block.text.strip():
            continue
        if extracted.has_headings:
            chunks.extend(_split_markdown(block.text, splitter, page=block.page))
        else:
            chunks.extend(
                Chunk(piece.strip(), block.section, block.page, block.origins)
                for piece in splitter.split_text(block.text)
                if piece.strip()
            )
    return chunks


def _split_markdown(
    text: str, splitter: RecursiveCharacterTextSplitter, *, page: int | None
) -> list[Chunk]:
    sections = MarkdownHeaderTextSplitter(HEADERS, strip_headers=True).split_text(text)
    chunks = []
    for section in sections:
        meta = section.metadata
        title = next((meta[k] for _, k in reversed(HEADERS) if meta.get(k)), None)
        for piece in splitter.split_text(section.page_content):
            if piece.strip():
                chunks.append(Chunk(piece.strip(), title, page))
    return chunks
