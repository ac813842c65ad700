"""Usage texts shown for help and for empty or malformed arguments."""

from __future__ import annotations

ALIGN_USAGE = """*alignbot* drafts SWOT analyses, OKR plans and retros from your team's own knowledge.

*Commands*
• `/swot [subject] [lens:<lens>]` draft a SWOT, e.g. `/swot data platform team lens:AI`
• `/okr [subject]` draft an OKR plan, from the latest saved SWOT when there is one
• `/retro [title]` open a retro now; `/retro schedule weekly on friday at 15:00`
• `/align help` this message"""
