"""The mission and values of an OKR plan: statements typed mission and value, wherever written.

A classifier miss is caught by how missions and value lists are written (a sentence that calls
itself the mission; a list of short names), never by a document's particular words.
"""

from __future__ import annotations

import re

from drafting.draft import Item
from drafting.labels import tidy_label
from drafting.statement_pool import Pool, Typed
from knowledge.statements import display_text, has_placeholder

MAX_VALUES = 6
MIN_VALUES_TOGETHER = 2
# Headings that name the values section rather than one value.
_SECTION_WORDS = re.compile(
    r"value|principle|culture|mission|how we|who we are|what we believe|behavio|our way", re.I
)
_VALUE_SPLIT = re.compile(r"^(?P<name>[^.:—–]{2,60}?)\s*(?::|—|–| - )\s*(?P<rest>.+)$")
_STATES_MISSION = re.compile(
    r"\b(?:our|the company's|its)\s+(?:mission|purpose)\s*(?:is|:|—|–)\s*(?:to\s+)?\w", re.I
)


def mission_of(pool: Pool) -> tuple[str, str] | None:
    """The statement most surely a mission; one that says "mission" wins a tie."""
    missions = pool.of("mission", min_confidence=0.3)
    if not missions:
        # The classifier missed it: a sentence that calls itself the mission or purpose
        # ("Our purpose: to give ...", "Our mission is to ...") is one, whatever it was typed.
        missions = [
            s
            for s in pool.statements
            if _STATES_MISSION.search(s.text) and not has_placeholder(s.text)
        ]
    if not missions:
        return None
    best = max(missions, key=lambda s: s.confidence + (0.2 if "mission" in s.text.lower() else 0.0))
    return display_text(best.text), best.chunk_id


# A value's name is a few words ("Own the pipe."); a longer line is a value stated whole.
_VALUE_NAME_WORDS = 4


def _with_list_neighbours(pool: Pool, values: list[Typed]) -> list[Typed]:
    """Values are written as a list; a line inside that list the classifier read as context
    ("Show your working.") is one more value, and so is the sentence right after the list's
    last short name (its description). A list is a run of one chunk and heading where values
    are at least half the statements; lines before or after it stay what they were."""
    chosen = {s.key for s in values}
    groups: dict[tuple[str, str | None], list[Typed]] = {}
    for statement in pool.statements:
        groups.setdefault((statement.chunk_id, statement.heading), []).append(statement)
    for group in groups.values():
        group.sort(key=lambda s: s.position)
        inside = [s.position for s in group if s.key in chosen]
        if len(inside) < 2 or 2 * len(inside) < len(group):
            continue
        last = next(s for s in group if s.position == inside[-1])
        end = inside[-1] + (1 if len(last.text.split()) <= _VALUE_NAME_WORDS else 0)
        for statement in group:
            if inside[0] < statement.position <= end and statement.kind == "context":
                chosen.add(statement.key)
    return [s for s in pool.statements if s.key in chosen]


def values_of(pool: Pool) -> list[Item]:
    """Values by name, with the sentence that explains each when the document gives one."""
    values = _with_list_neighbours(pool, pool.of("value", min_confidence=0.35))
    per_doc: dict[str, int] = {}
    for value in values:
        per_doc[value.doc_id] = per_doc.get(value.doc_id, 0) + 1
    # Values are written as a list, on a page of their own or a section of one; a lone
    # statement read as a value anywhere else ("Not everything is rosy.") is a misreading.
    values = [v for v in values if per_doc[v.doc_id] >= MIN_VALUES_TOGETHER]
    at = {s.key: s for s in pool.statements}
    items: list[Item] = []
    seen: set[str] = set()
    index = 0
    while index < len(values) and len(items) < MAX_VALUES:
        value = values[index]
        index += 1
        text = display_text(value.text)
        split = _VALUE_SPLIT.match(text)
        words = text.rstrip(".").split()
        heading = (value.heading or "").split(">")[-1].strip()
        if split and len(split.group("name").split()) <= 6:
            name, description = split.group("name"), split.group("rest")
        elif len(words) <= 6:
            name, description = text.rstrip("."), ""
            following = values[index] if index < len(values) else None
            if (
                following
                and following.chunk_id == value.chunk_id
                and len(following.text.split()) > 6
            ):
                description = display_text(following.text)
                index += 1
        elif (
            (before := at.get((value.chunk_id, value.position - 1))) is not None
            and len(before.text.split()) <= 6
            and before.kind != "value"
        ):
            # "**Bake it right.** We never ...": the short line before names the value, even
            # when the classifier read that fragment alone as noise.
            name, description = display_text(before.text).rstrip("."), text
        elif heading and len(heading.split()) <= 5 and not _SECTION_WORDS.search(heading):
            # A value named by its own heading ("### Safety first"), explained below it.
            name, description = heading, text
        else:
            name, description = " ".join(words[:3]), text
        words_of_name = name.split()
        if len(words_of_name) > 3:
            # A long name does not fit a label: the label takes its start, the text keeps it.
            short = words_of_name[:3]
            while len(short) > 1 and short[-1].lower() in {"in", "the", "a", "of", "and", "to"}:
                short.pop()
            label = tidy_label(" ".join(short))
            description = f"{name} — {description}" if description else name
        else:
            label = tidy_label(name)
            if description and len(label.split()) < len(name.split()):
                # The label lost words of the name ("Spot each other" -> SPOT): the text
                # keeps the name whole.
                description = f"{name} — {description}"
        if label.lower() in seen:
            continue
        seen.add(label.lower())
        sentence = display_text(description) if description else display_text(name)
        sources = [value.chunk_id]
        items.append(Item(label=label, text=sentence, sources=sources))
    return items
