"""Every supported format goes in with its structure, and bad input leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.errors import IngestError
from knowledge.service import KnowledgeBase
from tests.knowledge.conftest import MakeKB
from tests.knowledge.documents import make_docx, make_encrypted_pdf, make_pdf, make_zip_bomb_docx


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """SQLite only: the SQL dialect does not matter here; the storage tests cover Postgres."""
    return f"sqlite:///{tmp_path / 'alignbot.db'}"


W = "TFORMATS"


def assert_nothing_stored(kb: KnowledgeBase, workspace: str = W) -> None:
    assert kb.list_documents(workspace) == []
    assert kb.count_chunks(workspace) == 0
    collection = kb.vectors.open(workspace, create=False)
    assert collection is None or collection.count() == 0
    assert kb.search(workspace, "anything at all Kestrel 42.7%") == []


def test_markdown_chunks_know_their_section(kb: KnowledgeBase) -> None:
    text = (
        "# Q3 plan\n\nThe quarter in one page.\n\n"
        "## Goals\n\nShip Project Kestrel to three enterprise customers.\n\n"
        "## Risks\n\nChurn in EMEA rose to 42.7% after the price change.\n"
    )
    result = kb.add_bytes(W, filename="q3-plan.md", data=text.encode())
    assert result.status == "added"
    assert result.title == "Q3 plan"
    assert result.message == "Added “Q3 plan” (3 chunks)."
    hits = kb.search(W, "EMEA churn after the price change", k=1)
    assert hits[0].section == "Risks"
    assert hits[0].source_kind == "markdown"
    assert hits[0].source_id == f"{result.doc_id}#2"
    assert "42.7%" in hits[0].text


def test_plain_text_is_split_into_bounded_chunks(make_kb: MakeKB) -> None:
    kb = make_kb(chunk_size=200, chunk_overlap=20)
    sentences = [f"Fact {i}: the team shipped feature number {i} on time." for i in range(40)]
    result = kb.add_bytes(W, filename="facts.txt", data=" ".join(sentences).encode())
    assert result.chunks > 5
    hits = kb.search(W, "feature number 37", k=5)
    assert any("feature number 37" in h.text for h in hits)
    assert all(len(h.text) <= 200 for h in hits)
    assert hits[0].title == "facts"


def test_html_keeps_main_text_only(kb: KnowledgeBase) -> None:
    page = b"""<html><head><title>Pricing FAQ</title><style>p{color:red}</style></head>
    <body><nav>Home | Careers | Zebra menu</nav>
    <main><h1>Pricing</h1><p>The <b>Team</b> plan costs 12 euros per seat.</p>
    <h2>Discounts</h2><p>Non-profits get 50% off.</p></main>
    <script>trackZebra()</script><footer>Copyright Zebra Corp</footer></body></html>"""
    result = kb.add_bytes(W, filename="faq.html", data=page)
    assert result.title == "Pricing FAQ"
    texts = [h.text for h in kb.search(W, "pricing discounts team plan", k=10)]
    joined = "\n".join(texts)
    assert "The Team plan costs 12 euros per seat." in joined
    assert "Non-profits get 50% off." in joined
    assert "Zebra" not in joined and "color" not in joined
    assert {h.section for h in kb.search(W, "non-profit discount", k=1)} == {"Discounts"}


def test_pdf_chunks_carry_page_numbers(kb: KnowledgeBase) -> None:
    pdf = make_pdf(
        ["Board pack overview for the quarter.", "Project Kestrel margin reached 42.7%."],
        title="Board pack",
    )
    result = kb.add_bytes(W, filename="board.pdf", data=pdf)
    assert (result.title, result.pages, result.chunks) == ("Board pack", 2, 2)
    assert result.message == "Added “Board pack” (2 chunks, 2 pages)."
    hit = kb.search(W, "Kestrel margin", k=1)[0]
    assert hit.page == 2
    assert hit.source_kind == "pdf"


def test_docx_headings_become_sections_and_tables_facts(kb: KnowledgeBase) -> None:
    data = make_docx(
        "Strategy 2027",
        {"Goals": ["Grow annual recurring revenue by a third."], "Risks": ["Hiring is slow."]},
        table=[["Region", "Churn"], ["EMEA", "42.7%"], ["APAC", "3.1%"]],
    )
    result = kb.add_bytes(W, filename="strategy.docx", data=data)
    assert result.title == "Strategy 2027"
    hit = kb.search(W, "recurring revenue goal", k=1)[0]
    assert hit.section == "Goals"
    table_hits = kb.search(W, "EMEA churn region", k=3)
    assert any("Region: EMEA; Churn: 42.7%." in h.text for h in table_hits)


def test_csv_rows_become_facts_with_column_names(kb: KnowledgeBase) -> None:
    data = b"Customer,Plan,Seats\nAcme,Enterprise,420\nGlobex,Team,12\n"
    kb.add_bytes(W, filename="customers.csv", data=data)
    hits = kb.search(W, "How many seats does Globex have?", k=1)
    assert "Customer: Globex; Plan: Team; Seats: 12." in hits[0].text
    assert hits[0].source_kind == "csv"


def test_pasted_text_and_drafts_are_their_own_kinds(kb: KnowledgeBase) -> None:
    kb.add_text(W, title="Standup note", text="Release train moves to Thursdays.", added_by="U1")
    kb.add_text(
        W,
        title="SWOT Q2 (final)",
        text="## Threats\n\nA competitor copied our onboarding.",
        source_kind="draft",
        url="https://example.slack.com/archives/C1/p1",
    )
    kinds = {d.title: (d.source_kind, d.added_by) for d in kb.list_documents(W)}
    assert kinds == {"Standup note": ("text", "U1"), "SWOT Q2 (final)": ("draft", None)}
    hit = kb.search(W, "competitor copied onboarding", k=1)[0]
    assert (hit.source_kind, hit.section, hit.url) == (
        "draft",
        "Threats",
        "https://example.slack.com/archives/C1/p1",
    )


@pytest.mark.parametrize(
    ("filename", "data", "expected"),
    [
        ("empty.txt", b"", "is empty"),
        ("blank.md", b"  \n\n ", "is empty"),
        ("photo.png", b"\x89PNG\r\n\x1a\nrest", "Supported: .csv, .docx, .html, .md, .pdf, .txt"),
        ("latin1.txt", "Café crème".encode("latin-1"), "not valid UTF-8"),
        ("locked.pdf", make_encrypted_pdf(["secret plans"]), "password-protected"),
        ("broken.pdf", b"%PDF-1.4\nnot really a pdf", "not a readable PDF"),
        ("scan.pdf", make_pdf([""]), "no extractable text"),
        ("broken.docx", b"PK\x03\x04 not a zip", "not a valid .docx"),
        ("bomb.docx", make_zip_bomb_docx(120 << 20), "expands to"),
        ("header-only.csv", b"a,b,c\n", "no data rows"),
    ],
)
def test_bad_input_is_a_clear_error_and_leaves_nothing(
    kb: KnowledgeBase, filename: str, data: bytes, expected: str
) -> None:
    with pytest.raises(IngestError, match=expected.replace(".", r"\.")):
        kb.add_bytes(W, filename=filename, data=data)
    assert_nothing_stored(kb)


def test_size_limit(make_kb: MakeKB, tmp_path: Path) -> None:
    kb = make_kb(max_file_bytes=1000)
    with pytest.raises(IngestError, match="the limit is"):
        kb.add_bytes(W, filename="big.txt", data=b"x" * 1001)
    big = tmp_path / "big.md"
    big.write_bytes(b"# Big\n\n" + b"y " * 1000)
    with pytest.raises(IngestError, match="the limit is"):
        kb.add_path(W, big)
    assert_nothing_stored(kb)


def test_add_path_reads_files_and_reports_missing_ones(kb: KnowledgeBase, tmp_path: Path) -> None:
    note = tmp_path / "okr-notes.md"
    note.write_text("# OKR notes\n\nObjective: halve onboarding time.\n", encoding="utf-8")
    assert kb.add_path(W, note).title == "OKR notes"
    with pytest.raises(IngestError, match="No such file"):
        kb.add_path(W, tmp_path / "missing.md")
