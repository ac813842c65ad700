"""An instruction naming an item the draft lacks is refused before revising (one definition of
the reference forms, in drafting.revise, used by the Slack threads too)."""

from __future__ import annotations

import pytest

from drafting.draft import Draft, Item, Section
from drafting.revise import apply_structural, missing_item


def swot() -> Draft:
    def items(label: str, n: int) -> list[Item]:
        return [Item(label=f"{label}{i}", text=f"{label} fact {i}.") for i in range(1, n + 1)]

    return Draft(
        kind="swot",
        subject="Acme",
        engine="offline",
        sections=[
            Section(key="strengths", title="Strengths", items=items("S", 3)),
            Section(key="weaknesses", title="Weaknesses", items=items("W", 2)),
            Section(key="threats", title="Threats", items=[]),
        ],
    )


@pytest.mark.parametrize(
    ("instruction", "refusal"),
    [
        ("drop weakness 99", "There is no weakness 99: Weaknesses has 2 items (weakness 1–2)."),
        ("please remove the third weakness", "There is no weakness 3:"),
        ("keep strengths 1 and 7", "There is no strength 7: Strengths has 3 items"),
        ("move threat 1 to weaknesses", "There is no threat 1: Threats is empty."),
        ("drop the last threat", "There is no last threat: Threats is empty."),
        ("thanks! then drop learning 2", "This draft has no learnings; it has Strengths,"),
    ],
)
def test_missing_items_are_refused_with_what_exists(instruction: str, refusal: str) -> None:
    said = missing_item(swot(), instruction)
    assert said is not None and said.startswith(refusal) and said.endswith("Nothing was changed.")


@pytest.mark.parametrize(
    "instruction",
    [
        "drop weakness 2",
        "keep strengths 1 and 3",
        "move the first strength to threats",
        "regenerate threats",
        "make it sound more upbeat",
        "drop all threats",
    ],
)
def test_what_the_draft_has_passes_to_the_revision(instruction: str) -> None:
    assert missing_item(swot(), instruction) is None


def test_every_reference_that_passes_is_carried_out_offline() -> None:
    for instruction in ("drop weakness 2", "keep strengths 1 and 3", "move strength 1 to threats"):
        outcome = apply_structural(swot(), instruction)
        assert outcome.done and not outcome.needs_llm, instruction
