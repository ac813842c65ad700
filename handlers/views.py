"""Pure Block Kit builders for everything the Slack layer adds around drafts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from drafting.draft import Draft
from handlers import ids
from handlers.draft_blocks import MAX_BLOCKS
from handlers.slack_text import quote, safe_text
from knowledge.types import DocumentInfo, Hit

Block = dict[str, Any]
MAX_TEXT = 3000


def _text(text: str, kind: str = "mrkdwn") -> dict[str, Any]:
    return {"type": kind, "text": text[:MAX_TEXT]}


def _button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    button: Block = {
        "type": "button",
        "action_id": action_id,
        "text": _text(text, "plain_text"),
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def build_draft_actions(draft: Draft, *, draft_ref: str, final: bool) -> list[Block]:
    """The controls under every draft: regenerate a section, save, publish, export, feedback."""
    options = [
        {"text": _text(section.title[:75], "plain_text"), "value": section.key}
        for section in draft.sections
        if section.items
    ][:100]
    elements: list[Block] = []
    if options:
        elements.append(
            {
                "type": "static_select",
                "action_id": ids.REGENERATE_SECTION,
                "placeholder": _text("Regenerate a section", "plain_text"),
                "options": options,
            }
        )
    if not final:
        elements.append(_button("Save as final", ids.SAVE_FINAL, draft_ref, "primary"))
    if draft.kind == "okr":
        # Tracking starts from the thread's latest version, like every other button here.
        elements.append(_button("Adopt plan", ids.OKR_ADOPT, draft_ref))
    elements += [
        _button("Publish as canvas", ids.PUBLISH_CANVAS, draft_ref),
        _button("Export Markdown", ids.EXPORT_MARKDOWN, draft_ref),
        _button("Download PDF", ids.DOWNLOAD_PDF, draft_ref),
        _button("👍", ids.FEEDBACK_UP, draft_ref),
        _button("👎", ids.FEEDBACK_DOWN, draft_ref),
    ]
    return [{"type": "actions", "block_id": ids.DRAFT_ACTIONS_BLOCK, "elements": elements}]


def build_draft_message(
    draft_blocks: list[Block], draft: Draft, *, draft_ref: str, final: bool, note: str | None
) -> list[Block]:
    extra: list[Block] = []
    if final:
        extra.append({"type": "context", "elements": [_text("✅ Saved as final")]})
    if note:
        extra.append({"type": "context", "elements": [_text(note)]})
    actions = build_draft_actions(draft, draft_ref=draft_ref, final=final)
    room = MAX_BLOCKS - len(extra) - len(actions)
    return [*draft_blocks[:room], *extra, *actions]


def build_failure_message(reason: str, *, request_id: int) -> list[Block]:
    return [
        {
            "type": "section",
            "text": _text(
                f":warning: I couldn't finish that draft. {reason}\n"
                "Your request is saved; press Retry when you're ready."
            ),
        },
        {
            "type": "actions",
            "elements": [_button("Retry", ids.RETRY_REQUEST, str(request_id), "primary")],
        },
    ]


def build_kb_list(docs: Sequence[DocumentInfo]) -> list[Block]:
    if not docs:
        return [
            {
                "type": "section",
                "text": _text(
                    "The knowledge base is empty. Add notes with `/align kb add <text or URL>` "
                    "or share a file with me."
                ),
            }
        ]
    lines = []
    for doc in docs[:40]:
        title = f"<{doc.url}|{safe_text(doc.title)}>" if doc.url else safe_text(doc.title)
        pages = f", {doc.pages} pages" if doc.pages else ""
        lines.append(f"• `{doc.doc_id}` {title} ({doc.source_kind}, {doc.chunks} chunks{pages})")
    more = f"\n…and {len(docs) - 40} more" if len(docs) > 40 else ""
    header = f"*Knowledge base: {len(docs)} documents*"
    return [{"type": "section", "text": _text(header + "\n" + "\n".join(lines) + more)}]


def build_kb_search(query: str, hits: Sequence[Hit]) -> list[Block]:
    if not hits:
        return [{"type": "section", "text": _text(f"Nothing found for “{quote(query)}”.")}]
    blocks: list[Block] = [{"type": "section", "text": _text(f"*Results for “{quote(query)}”*")}]
    for hit in hits:
        title = f"<{hit.url}|{safe_text(hit.title)}>" if hit.url else safe_text(hit.title)
        excerpt = quote(hit.text, 280)
        blocks.append(
            {
                "type": "section",
                "text": _text(f"*{title}* `{hit.source_id}` ({hit.score:.2f})\n{excerpt}"),
            }
        )
    return blocks


def build_mission_modal(current: str | None) -> Block:
    element: Block = {
        "type": "plain_text_input",
        "action_id": ids.MISSION_INPUT,
        "multiline": True,
        "max_length": 1000,
    }
    if current:
        element["initial_value"] = current
    return {
        "type": "modal",
        "callback_id": ids.MISSION_MODAL,
        "title": _text("Workspace mission", "plain_text"),
        "submit": _text("Save", "plain_text"),
        "close": _text("Cancel", "plain_text"),
        "blocks": [
            {
                "type": "input",
                "block_id": ids.MISSION_BLOCK,
                "label": _text("Mission line used at the top of plans", "plain_text"),
                "element": element,
            }
        ],
    }


def build_app_home(
    *,
    mission: str | None,
    recent_drafts: Sequence[tuple[str, str, str | None]],
    doc_count: int,
    chunk_count: int,
    latest_docs: Sequence[DocumentInfo],
    schedules: Sequence[str],
    plans: Sequence[Block] = (),
) -> Block:
    """recent_drafts: (label, when, permalink) tuples; schedules: one line each; plans: the
    blocks of the OKR plans the person owns key results in (handlers/plan_views.py)."""
    blocks: list[Block] = [
        {"type": "header", "text": _text("alignbot", "plain_text")},
        {
            "type": "section",
            "text": _text(f"*Mission*\n{safe_text(mission) if mission else '_No mission yet._'}"),
            "accessory": _button("Edit", ids.HOME_EDIT_MISSION, "edit"),
        },
        {"type": "divider"},
        *plans,
    ]
    draft_lines = [
        f"• <{link}|{label}> · {when}" if link else f"• {label} · {when}"
        for label, when, link in recent_drafts
    ] or ["_No drafts yet. Try `/swot` in a channel._"]
    blocks.append({"type": "section", "text": _text("*Recent drafts*\n" + "\n".join(draft_lines))})
    doc_lines = [f"• {safe_text(d.title)} ({d.chunks} chunks)" for d in latest_docs] or [
        "_Add notes with `/align kb add` or share a file with me._"
    ]
    blocks.append(
        {
            "type": "section",
            "text": _text(
                f"*Knowledge base* · {doc_count} documents, {chunk_count} chunks\n"
                + "\n".join(doc_lines)
            ),
        }
    )
    schedule_lines = [f"• {line}" for line in schedules] or [
        "_No retro schedules. Try `/retro schedule weekly on friday at 15:00`._"
    ]
    blocks.append(
        {"type": "section", "text": _text("*Retro schedules*\n" + "\n".join(schedule_lines))}
    )
    return {"type": "home", "blocks": blocks[:100]}
