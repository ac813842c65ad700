"""Hand-written drafts for the picture tests: a long messy one and one in several scripts."""

from __future__ import annotations

from drafting.draft import Draft, Item, Section, SourceRef

QUADRANTS = ("strengths", "weaknesses", "opportunities", "threats")
LONG = (
    "{n}: after the re-platforming of the Øresund routing cluster, median planning latency fell "
    "from 2.4 s to 0.9 s for 1,240 shippers, while the legacy batch importer kept failing on "
    "malformed EDI files (roughly 3% of nightly loads) and needs a named owner before Q2 2027"
)


def long_draft() -> Draft:
    """5 long items per quadrant, 4 long priorities, a long unbreakable token and many sources."""
    sections = []
    sources: dict[str, SourceRef] = {}
    for q, key in enumerate(QUADRANTS):
        items = []
        for i in range(5):
            sid = f"doc{q}{i}#0"
            sources[sid] = SourceRef(
                title=f"Board pack 2026 › {key} appendix {i + 1}", excerpt="…", url=None
            )
            items.append(
                Item(
                    label=f"{key[:4].upper()} THEME {i + 1}",
                    text=LONG.format(n=f"{key}-{i + 1}")
                    + (
                        " https://wiki.example.com/a/very/long/path/without/any/break"
                        if i == 4
                        else ""
                    ),
                    sources=[sid],
                    unsupported_figures=["3%"] if i == 2 else [],
                )
            )
        sections.append(Section(key=key, title=key.title(), items=items))
    priorities = [
        Item(
            label=f"PRIORITY {i + 1}", text=LONG.format(n=f"priority-{i + 1}"), sources=["doc00#0"]
        )
        for i in range(4)
    ]
    sections.append(Section(key="priorities", title="Key Priorities", items=priorities))
    return Draft(
        kind="swot",
        subject="Larkspur Freight — Nordics",
        engine="offline",
        sections=sections,
        sources=sources,
        lens="security",
    )


SCRIPTS = {
    "strengths": "Kundenzufriedenheit stieg für Müller & Söhne; Øresund-Linie pünktlich",
    "weaknesses": "Café-Integrationen brechen bei Umlauten: é, ü, ø, ß",
    "opportunities": "日本語の顧客が増えています: 東京で出荷量が 40% 増加",
    "threats": "Конкуренты снижают цены на 15% в Польше",
}


def scripts_draft() -> Draft:
    sections = [
        Section(
            key=key,
            title=key.title(),
            items=[Item(label="INTL", text=text, sources=[f"{key}#0"])],
        )
        for key, text in SCRIPTS.items()
    ]
    sources = {f"{key}#0": SourceRef(title=f"Notes: {key} (東京)", excerpt="…") for key in SCRIPTS}
    return Draft(
        kind="swot",
        subject="Søren's team in 東京",
        engine="offline",
        sections=sections,
        sources=sources,
    )
