"""Values typed with their units, read in a key result's unit or refused with a reason."""

from __future__ import annotations

import re

import pytest

from scheduler.plans.values import ValueRefused, format_value, parse_value, value_for


@pytest.mark.parametrize(
    ("text", "number", "unit"),
    [
        ("42%", 42.0, "%"),
        ("99.95 %", 99.95, "%"),
        ("8.1 days", 8.1, "days"),
        ("$1.2M", 1_200_000.0, "$"),
        ("USD 52 million", 52_000_000.0, "$"),
        ("€300k", 300_000.0, "€"),
        ("1,340", 1340.0, None),
        ("8,1 days", 8.1, "days"),
        ("3 weeks", 3.0, "weeks"),
        ("-2.5", -2.5, None),
        ("12 customers", 12.0, ""),
    ],
)
def test_values_parse_with_their_units(text: str, number: float, unit: str | None) -> None:
    parsed = parse_value(text)
    assert parsed.number == pytest.approx(number)
    assert parsed.unit == unit


def test_a_value_is_read_in_the_key_results_unit() -> None:
    assert value_for("42", unit="%", direction="increase") == (42.0, "42")
    assert value_for("14 days", unit="weeks", direction="decrease")[0] == pytest.approx(2.0)
    assert value_for("$1.2M", unit="$", direction="increase")[0] == 1_200_000
    assert value_for("done", unit="", direction="deliverable")[0] == 1.0
    assert value_for("not done", unit="", direction="deliverable")[0] == 0.0


@pytest.mark.parametrize(
    ("text", "unit", "direction", "reason"),
    [
        ("42%", "days", "increase", "is a percentage, but this key result is measured in days"),
        ("$3", "%", "increase", "is money ($), but this key result is measured in a percentage"),
        ("4 days", "", "increase", "is days, but this key result is measured in a count"),
        ("lots", "%", "increase", "is not a value I can read"),
        ("", "%", "increase", "Give a value"),
        ("done", "%", "increase", "give a number, not “done”"),
        ("42%", "", "deliverable", "answer “done” or “not done”"),
        ("5m", "$", "increase", "write 5 min or $5M"),
    ],
)
def test_wrong_values_are_refused_with_a_reason(
    text: str, unit: str, direction: str, reason: str
) -> None:
    with pytest.raises(ValueRefused, match=re.escape(reason)) as caught:
        value_for(text, unit=unit, direction=direction)  # type: ignore[arg-type]
    assert "\n" not in str(caught.value)


def test_values_format_the_way_people_write_them() -> None:
    assert format_value(52_000_000, "$") == "$52M"
    assert format_value(1_200_000, "$") == "$1.2M"
    assert format_value(1340, "") == "1,340"
    assert format_value(8.1, "days") == "8.1 days"
    assert format_value(1, "weeks") == "1 week"
    assert format_value(99.95, "%") == "99.95%"
    assert format_value(None, "%") == "—"
