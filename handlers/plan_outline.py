"""An OKR draft as the outline a tracked plan is adopted from (drafting and scheduler meet here).

Sections `objective-N` hold the objectives (title) and their key-result sentences (items, with
the knowledge-base chunks they cite); `metrics` and `values` are reading aids, not tracked.
"""

from __future__ import annotations

import re

from drafting.draft import Draft
from scheduler.plans.errors import PlanError
from scheduler.plans.outline import KeyResultOutline, ObjectiveOutline, PlanOutline

_OBJECTIVE = re.compile(r"^objective-(\d+)$")


def outline_from_draft(
    draft: Draft, draft_id: str | None, *, version_id: int | None = None
) -> PlanOutline:
    """Raises PlanError when the draft is not an OKR plan or has no key results."""
    if draft.kind != "okr":
        raise PlanError(f"Only OKR plans can be adopted; this draft is a {draft.kind}.")
    numbered = [
        (int(m.group(1)), section)
        for section in draft.sections
        if (m := _OBJECTIVE.match(section.key))
    ]
    objectives = tuple(
        ObjectiveOutline(
            title=section.title,
            intent=section.intent,
            key_results=tuple(
                KeyResultOutline(text=item.text, source_ids=tuple(item.sources))
                for item in section.items
                if item.text.strip()
            ),
        )
        for _, section in sorted(numbered, key=lambda pair: pair[0])
    )
    objectives = tuple(o for o in objectives if o.key_results)
    if not objectives:
        raise PlanError("This draft has no objectives with key results to track.")
    return PlanOutline(
        title=draft.subject.strip() or "OKR plan",
        objectives=objectives,
        draft_ref=draft_id,
        draft_version_id=version_id,
    )
