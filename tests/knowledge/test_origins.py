"""Knowledge drawn from a final draft keeps the chunks it came from; drafts cite those."""

from __future__ import annotations

from drafting.draft import Draft, Item, Section, SourceRef
from drafting.origins import cite_originals
from knowledge.service import KnowledgeBase
from knowledge.types import Passage

WS = "T0ORIGINS"
QBR = "# Finance\nAnnual recurring revenue reached USD 38.4 million in Q3 2026."


def final_draft_item(kb: KnowledgeBase, text: str, origin: str, version: int = 1) -> str:
    result = kb.add_passages(
        WS,
        title=f"SWOT for Acme (final, v{version})",
        passages=[Passage(text, "Strengths", (origin,))],
        added_by="U1",
    )
    return f"{result.doc_id}#0"


def citing(source_id: str, text: str) -> Draft:
    return Draft(
        kind="swot",
        subject="Acme",
        engine="offline",
        sections=[
            Section(
                key="strengths",
                title="Strengths",
                items=[Item(label="REVENUE", text=text, sources=[source_id])],
            )
        ],
        sources={source_id: SourceRef(title="SWOT for Acme (final, v1) › Strengths", excerpt=text)},
    )


def test_a_draft_citing_a_final_drafts_item_cites_the_original_and_checks_its_figures(
    kb: KnowledgeBase,
) -> None:
    qbr = kb.add_text(WS, title="QBR Q3", text=QBR)
    origin = f"{qbr.doc_id}#0"
    faithful = final_draft_item(kb, "ARR reached USD 38.4 million in Q3 2026.", origin)
    # Someone edited the figure in the final draft: the original does not say it.
    edited = final_draft_item(kb, "ARR reached USD 41 million in Q3 2026.", origin, 2)
    [hit] = kb.chunks(WS, [faithful])
    assert hit.origins == (origin,)
    assert kb.reindex(WS) >= 3
    assert kb.chunks(WS, [faithful])[0].origins == (origin,)

    good = cite_originals(citing(faithful, "ARR reached USD 38.4 million in Q3 2026."), kb, WS)
    [item] = good.items()
    assert item.sources == [origin] and item.unsupported_figures == []
    assert list(good.sources) == [origin]
    assert good.sources[origin].title == "QBR Q3 › Finance"
    assert "38.4 million" in good.sources[origin].excerpt

    bad = cite_originals(citing(edited, "ARR reached USD 41 million in Q3 2026."), kb, WS)
    assert bad.items()[0].sources == [origin]
    assert bad.items()[0].unsupported_figures == ["USD 41 million"]


def test_when_the_original_is_gone_the_final_draft_stays_cited(kb: KnowledgeBase) -> None:
    qbr = kb.add_text(WS, title="QBR Q3", text=QBR)
    item = final_draft_item(kb, "ARR reached USD 38.4 million.", f"{qbr.doc_id}#0")
    assert kb.remove(WS, qbr.doc_id)
    draft = citing(item, "ARR reached USD 38.4 million.")
    assert cite_originals(draft, kb, WS) == draft


def test_the_same_final_draft_saved_twice_is_stored_once(kb: KnowledgeBase) -> None:
    passages = [Passage("Churn fell to 2%.", "Strengths", ("abc#0",))]
    first = kb.add_passages(WS, title="SWOT (final, v2)", passages=passages)
    again = kb.add_passages(WS, title="SWOT (final, v2)", passages=passages)
    assert (first.status, again.status) == ("added", "unchanged")
    assert again.doc_id == first.doc_id
