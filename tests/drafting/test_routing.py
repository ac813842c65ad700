"""What the offline router makes of what people type in a DM or a mention."""

from __future__ import annotations

import pytest

from drafting.intent import QUESTION_REPLY, route


@pytest.mark.parametrize(
    "text",
    [
        "What are the open threats on the Q3 plan?",
        "which objectives are behind",
        "How is the payments team doing on its OKRs?",
    ],
)
def test_a_question_gets_an_answer_not_a_draft(text: str) -> None:
    intent = route(text)
    assert intent.kind == "unclear" and intent.question == QUESTION_REPLY


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Can you draft a SWOT for the payments team?", "swot"),
        ("draft a SWOT for the data platform team with an AI lens", "swot"),
        ("turn our last SWOT into an OKR plan", "okr"),
        ("what should we do? make an okr plan for support", "okr"),
        ("run a retro for sprint 42", "retro"),
    ],
)
def test_a_request_to_draft_still_drafts(text: str, kind: str) -> None:
    assert route(text).kind == kind
