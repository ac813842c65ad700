"""What `/swot` reads from its text: the subject and at most one lens."""

from __future__ import annotations

import pytest

from drafting.intent import ArgumentError, parse_subject_and_lens


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("data platform lens:AI", ("data platform", "AI")),
        ('payments lens:"fraud risk"', ("payments", "fraud risk")),
        ("the support team with a security lens", ("the support team", "security")),
        ("Larkspur", ("Larkspur", None)),
    ],
)
def test_subject_and_lens(text: str, expected: tuple[str | None, str | None]) -> None:
    assert parse_subject_and_lens(text) == expected


@pytest.mark.parametrize("text", ["payments lens:security lens:ai", "ops lens:x lens=y"])
def test_two_lenses_are_refused_rather_than_left_in_the_subject(text: str) -> None:
    with pytest.raises(ArgumentError, match="one lens"):
        parse_subject_and_lens(text)


def test_an_empty_lens_is_refused() -> None:
    with pytest.raises(ArgumentError, match="needs a word"):
        parse_subject_and_lens("payments lens:")
