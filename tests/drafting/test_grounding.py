"""Figure extraction and normalisation: the same figure written two ways still matches."""

from __future__ import annotations

import pytest

from drafting.grounding import check_draft, extract_figures, figure_keys, unsupported_figures
from drafting.draft import Draft, Item, Section, SourceRef


@pytest.mark.parametrize(
    ("written", "source"),
    [
        ("2,450 shipments", "we moved 2450 shipments"),
        ("$17.8M", "revenue of USD 17.8 million"),
        ("USD 17.8 million", "17.8M in revenue"),
        ("17,800,000 dollars", "USD 17.8 million"),
        ("EUR 3.2 billion", "€3.2bn market"),
        ("42.7%", "a share of 42.7 percent"),
        ("6.5 hours", "first response averaged 6.5 hours"),
        ("450k users", "450,000 users"),
        ("Q3 2026", "in Q3 FY2026"),
        ("March 2027", "due on 2027-03-31"),
        ("14 August 2026", "On August 14, 2026 the API failed"),
        ("3.50%", "3.5%"),
    ],
)
def test_equivalent_figures_match(written: str, source: str) -> None:
    assert unsupported_figures(written, figure_keys([source])) == []


@pytest.mark.parametrize(
    ("written", "source"),
    [
        ("2,451 shipments", "we moved 2450 shipments"),
        ("$17.8B", "revenue of USD 17.8 million"),
        ("43%", "a share of 42.7%"),
        ("Q4 2026", "in Q3 2026"),
        ("April 2027", "due on 2027-03-31"),
    ],
)
def test_different_figures_do_not_match(written: str, source: str) -> None:
    assert unsupported_figures(written, figure_keys([source])) == [written.split(" shipments")[0]]


def test_identifiers_and_words_are_not_figures() -> None:
    assert extract_figures("Sev-1 incidents on P1 services with MiniLM-L6 and v2 API") == []


def test_dates_are_whole_figures_not_loose_numbers() -> None:
    surfaces = [f.surface for f in extract_figures("Ships 2026-03-01, reviewed March 15, 2027.")]
    assert surfaces == ["2026-03-01", "March 15, 2027"]


def test_check_draft_uses_only_each_items_own_sources_and_the_users_words() -> None:
    draft = Draft(
        kind="swot",
        subject="team of 12",
        engine="llm:openai:x",
        sections=[
            Section(
                key="strengths",
                title="Strengths",
                items=[
                    Item(label="A", text="Uptime was 99.9% for 12 people.", sources=["a#0"]),
                    Item(label="B", text="Churn was 4% and uptime 99.9%.", sources=["b#0"]),
                ],
            )
        ],
        sources={
            "a#0": SourceRef(title="A", excerpt="uptime 99.9%"),
            "b#0": SourceRef(title="B", excerpt="churn 4%"),
        },
    )
    checked = check_draft(draft, {})
    first, second = checked.sections[0].items
    assert first.unsupported_figures == []  # 12 comes from the user's own subject
    assert second.unsupported_figures == ["99.9%"]  # true elsewhere, but not in what it cites
