"""Small text helpers of the offline engine: fact splitting, labels, sentence joins."""

from __future__ import annotations

import re

from drafting.facts import chunk_facts, lower_first
from drafting.labels import label_for
from knowledge.types import Hit


def test_chunks_split_into_sentences_bullets_and_table_rows() -> None:
    hit = Hit(
        "d#0",
        "d",
        "Doc",
        "Revenue grew to USD 17.8M in Q3. Churn fell to 4.1% over the last year.\n"
        "- **Kestrel** pilot saved 9% fuel for 12 customers\n"
        "| Metric | Current | Target |\n|---|---|---|\n| Uptime | 99.91% | 99.95% |",
        0.0,
        section="Results",
    )
    texts = [f.text for f in chunk_facts(hit, 0)]
    assert texts == [
        "Revenue grew to USD 17.8M in Q3.",
        "Churn fell to 4.1% over the last year.",
        "Kestrel pilot saved 9% fuel for 12 customers",
        "Metric: Uptime; Current: 99.91%; Target: 99.95%",
    ]


def test_labels_are_short_uppercase_business_areas() -> None:
    cases = {
        "Three Sev-1 outages in Q3 caused 14 hours of downtime.": "RELIABILITY",
        "Net revenue retention reached 112%.": "RETENTION",
        "FreightLoop is undercutting our prices by 25%.": "COMPETITION",
        "The Kestrel pilot cut fuel costs by 9%.": "KESTREL",
    }
    for text, label in cases.items():
        assert label_for(text, projects={"Kestrel"}) == label
    odd = label_for("Zorblax frobnicated 3 wibbles", heading="Quarterly zorblax report 2026")
    assert re.fullmatch(r"[A-Z][A-Z&/-]*(?: [A-Z][A-Z&/-]*){0,2}", odd)


def test_lower_first_keeps_names_and_acronyms() -> None:
    context = "Larkspur is the only TMS. Analysts rank Larkspur first."
    assert lower_first("Operating expenses rose 4%.") == "operating expenses rose 4%."
    assert lower_first("Larkspur is the only TMS.", context) == "Larkspur is the only TMS."
    assert lower_first("ARR reached USD 38.4 million.") == "ARR reached USD 38.4 million."
    assert (
        lower_first("FreightLoop raised USD 120 million.") == "FreightLoop raised USD 120 million."
    )
