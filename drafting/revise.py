"""Structural revisions the offline engine can do itself: drop, keep, move, regenerate."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from drafting.add_offline import AddRequest, parse_add
from drafting.draft import SECTION_TITLES, Draft, Section

_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "last": -1,
}
_SECTION_WORDS: tuple[tuple[str, str], ...] = (
    (r"strengths?", "strengths"),
    (r"weakness(?:es)?", "weaknesses"),
    (r"opportunit(?:y|ies)", "opportunities"),
    (r"threats?", "threats"),
    (r"(?:key\s+)?priorit(?:y|ies)", "priorities"),
    (r"(?:what\s+)?went[\s_]well", "went_well"),
    (r"not[\s_]so[\s_]well", "not_so_well"),
    (r"learnings?", "learnings"),
    (r"action[\s_]items?|actions?", "action_items"),
    (r"metrics?", "metrics"),
    (r"values?", "values"),
    (r"objective[\s-]?(\d+)", "objective"),
    (r"key\s+results?\s+(?:of|for|in)\s+objective[\s-]?(\d+)", "objective"),
)
_NUMBER = r"(?:#?\d+|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last)"
_NUMBERS = rf"{_NUMBER}(?:\s*(?:,|and|&)\s*{_NUMBER})*"
_SECTION_RE = "|".join(f"(?:{pattern})" for pattern, _ in _SECTION_WORDS)


@dataclass(frozen=True)
class Outcome:
    draft: Draft
    done: list[str]
    needs_llm: list[str]
    regenerate: list[str]  # section keys the caller should regenerate with its engine


# What one item of a section is called in a reply ("there is no weakness 9").
_ITEM_NAMES = {
    "strengths": "strength",
    "weaknesses": "weakness",
    "opportunities": "opportunity",
    "threats": "threat",
    "priorities": "priority",
    "learnings": "learning",
    "action_items": "action item",
    "metrics": "metric",
    "values": "value",
}
# An instruction that names items by number: the forms the revisions below understand.
_VERB = r"(?:drop|remove|delete|cut|keep(?:\s+only)?|move|regenerate|rewrite|reword|shorten)"
_REFERENCE = re.compile(
    rf"\b{_VERB}\s+(?:the\s+)?(?:(?P<pre>{_NUMBERS})\s+)?(?P<sec>{_SECTION_RE})"
    rf"(?:\s+(?:items?\s+)?(?P<post>{_NUMBERS}))?\b"
)


def _key_of(phrase: str) -> str | None:
    """The section key a phrase names ("weaknesses", "objective 2"), whatever the draft has."""
    phrase = phrase.strip().lower()
    for pattern, key in _SECTION_WORDS:
        match = re.fullmatch(pattern, phrase)
        if match:
            return f"objective-{match.group(1)}" if key == "objective" else key
    return None


def _section_key(phrase: str, draft: Draft) -> str | None:
    key = _key_of(phrase)
    if key is None or key.startswith("objective-"):
        return key
    return key if draft.section(key) else None


def missing_item(draft: Draft, instruction: str) -> str | None:
    """A refusal naming what exists when an instruction names an item the draft does not have
    ("drop weakness 99", "keep learnings 1 and 2" in a SWOT); None when everything it names is
    there. Asked before revising, so such an instruction changes nothing and is not mistaken
    for one that needs a language model."""
    for clause in split_instructions(instruction):
        for match in _REFERENCE.finditer(clause.lower()):
            numbers = _numbers(match.group("pre") or match.group("post") or "")
            key = _key_of(match.group("sec"))
            if not numbers or key is None:
                continue
            name = _ITEM_NAMES.get(key) or f"{SECTION_TITLES.get(key, key.replace('-', ' '))} item"
            section = draft.section(key)
            if section is None:
                have = ", ".join(s.title for s in draft.sections) or "no sections"
                return f"This draft has no {name}s; it has {have}. Nothing was changed."
            count = len(section.items)
            for number in numbers:
                if _position(number, section) is None:
                    exists = (
                        f"{section.title} has {count} item{'s' if count != 1 else ''} "
                        f"({name} 1–{count})"
                        if count
                        else f"{section.title} is empty"
                    )
                    which = f"{name} {number}" if number > 0 else f"last {name}"
                    return f"There is no {which}: {exists}. Nothing was changed."
    return None


def _numbers(text: str) -> list[int]:
    found = re.findall(_NUMBER, text)
    return [_ORDINALS.get(n, 0) or int(n.lstrip("#")) for n in found]


def _position(n: int, section: Section) -> int | None:
    index = len(section.items) - 1 if n == -1 else n - 1
    return index if 0 <= index < len(section.items) else None


def split_instructions(instruction: str) -> list[str]:
    parts = re.split(r";|\n|\bthen\b|\.\s+(?=[a-z])", instruction, flags=re.IGNORECASE)
    return [p.strip(" .") for p in parts if p.strip(" .")]


AddFn = Callable[[Draft, AddRequest], tuple[Draft, str]]


def apply_structural(draft: Draft, instruction: str, add: AddFn | None = None) -> Outcome:
    """Apply what needs no language model; `add` (when given) fetches new items from the KB."""
    done: list[str] = []
    needs_llm: list[str] = []
    regenerate: list[str] = []
    for clause in split_instructions(instruction):
        request = parse_add(clause) if add is not None else None
        if add is not None and request is not None:
            draft, message = add(draft, request)
            done.append(message)
            continue
        result = _apply_one(draft, clause)
        if result is None:
            needs_llm.append(clause)
            continue
        draft, message, regen = result
        done.append(message)
        regenerate += regen
    return Outcome(draft, done, needs_llm, regenerate)


def _replace(draft: Draft, section: Section) -> Draft:
    return draft.model_copy(
        update={"sections": [section if s.key == section.key else s for s in draft.sections]}
    )


def _apply_one(draft: Draft, clause: str) -> tuple[Draft, str, list[str]] | None:
    text = clause.lower().strip()
    # regenerate / redo / refresh a section
    match = re.fullmatch(
        rf"(?:please\s+)?(?:regenerate|redo|refresh|rewrite|re-?draft|try again with|new)\s+(?:the\s+)?({_SECTION_RE})(?:\s+section)?",
        text,
    )
    if match and (key := _section_key(match.group(1), draft)):
        return draft, f"regenerated {key}", [key]

    # drop / remove / delete items: "drop weakness 3", "remove threats 1 and 2", "drop the third weakness"
    match = re.fullmatch(
        rf"(?:please\s+)?(?:drop|remove|delete|cut)\s+(?:the\s+)?(?:(?P<pre>{_NUMBERS})\s+)?(?P<sec>{_SECTION_RE})(?:\s+(?:items?\s+)?(?P<post>{_NUMBERS}))?(?:\s+section)?",
        text,
    )
    if match and (key := _section_key(match.group("sec"), draft)):
        numbers = _numbers(match.group("pre") or match.group("post") or "")
        section = draft.section(key)
        assert section is not None
        if not numbers and (
            re.search(r"\bsection\b|\ball\b", text)
            or not (match.group("pre") or match.group("post"))
        ):
            emptied = section.model_copy(update={"items": []})
            return _replace(draft, emptied), f"removed every item from {section.title}", []
        positions = sorted({p for n in numbers if (p := _position(n, section)) is not None})
        if not positions:
            return None
        items = [item for i, item in enumerate(section.items) if i not in positions]
        labels = ", ".join(section.items[p].label for p in positions)
        return (
            _replace(draft, section.model_copy(update={"items": items})),
            f"dropped {labels} from {section.title}",
            [],
        )

    # keep only some items: "keep strengths 1 and 3", "keep only the first two threats"
    match = re.fullmatch(
        rf"(?:please\s+)?keep\s+(?:only\s+)?(?:the\s+)?(?P<sec>{_SECTION_RE})\s+(?:items?\s+)?(?P<nums>{_NUMBERS})(?:\s+only)?",
        text,
    )
    if match and (key := _section_key(match.group("sec"), draft)):
        section = draft.section(key)
        assert section is not None
        kept = {
            p for n in _numbers(match.group("nums")) if (p := _position(n, section)) is not None
        }
        if not kept:
            return None
        items = [item for i, item in enumerate(section.items) if i in kept]
        return (
            _replace(draft, section.model_copy(update={"items": items})),
            f"kept {len(items)} item(s) in {section.title}",
            [],
        )

    # move: "move weakness 2 to threats"
    match = re.fullmatch(
        rf"(?:please\s+)?move\s+(?:the\s+)?(?:(?P<pre>{_NUMBER})\s+)?(?P<src>{_SECTION_RE})(?:\s+(?:item\s+)?(?P<post>{_NUMBER}))?\s+(?:in)?to\s+(?:the\s+)?(?P<dst>{_SECTION_RE})",
        text,
    )
    if match:
        src_key = _section_key(match.group("src"), draft)
        dst_key = _section_key(match.group("dst"), draft)
        numbers = _numbers(match.group("pre") or match.group("post") or "")
        if src_key and dst_key and numbers and src_key != dst_key:
            src = draft.section(src_key)
            dst = draft.section(dst_key)
            assert src is not None and dst is not None
            position = _position(numbers[0], src)
            if position is None:
                return None
            item = src.items[position]
            draft = _replace(
                draft,
                src.model_copy(
                    update={"items": [i for k, i in enumerate(src.items) if k != position]}
                ),
            )
            dst = draft.section(dst_key)
            assert dst is not None
            draft = _replace(draft, dst.model_copy(update={"items": [*dst.items, item]}))
            return draft, f"moved {item.label} from {src.title} to {dst.title}", []
    return None


def prune_sources(draft: Draft) -> Draft:
    cited = {sid for item in draft.items() for sid in item.sources}
    return draft.model_copy(
        update={"sources": {k: v for k, v in draft.sources.items() if k in cited}}
    )


def describe(outcome: Outcome, engine_is_offline: bool) -> str:
    parts = []
    if outcome.done:
        parts.append("Done: " + "; ".join(outcome.done) + ".")
    if outcome.needs_llm:
        quoted = "; ".join(f"“{c}”" for c in outcome.needs_llm)
        if engine_is_offline:
            parts.append(
                f"Not done: {quoted} — free-form rewriting needs a language model (set LLM__MODEL). "
                "The offline engine handles drop, keep, move, regenerate and add-from-sources, e.g. "
                "“drop weakness 3”, “move threat 2 to weaknesses”, “regenerate opportunities”, "
                "“add a key result on hiring”."
            )
        else:
            parts.append(f"Not understood: {quoted}.")
    return " ".join(parts) or "Nothing to change."
