"""The retro vocabulary every layer shares: its sections, their titles and the entry prefixes."""

from __future__ import annotations

import re
from typing import Literal, get_args

Section = Literal["went_well", "not_so_well", "learnings", "action_items"]
# In the order a retro shows them.
SECTIONS: tuple[Section, ...] = get_args(Section)
TITLES: dict[str, str] = {
    "went_well": "What Went Well",
    "not_so_well": "Not So Well",
    "learnings": "Learnings",
    "action_items": "Action Items",
}
PREFIXES: dict[str, Section] = {
    "+": "went_well",
    "-": "not_so_well",
    "*": "learnings",
    "!": "action_items",
}
# "*word*" is Slack bold, not the learnings prefix.
_BOLD_START = re.compile(r"^\*[^*\s][^*\n]*\*")


def parse_prefixed_entry(text: str) -> tuple[Section | None, str]:
    """`+ went well`, `- not so well`, `* learning`, `! action`; anything else is unsorted.

    A prefix with nothing after it gives an empty body, which is no entry.
    """
    stripped = text.strip()
    head = stripped[:1]
    if head in PREFIXES and not (head == "*" and _BOLD_START.match(stripped)):
        return PREFIXES[head], stripped[1:].strip()
    return None, stripped
