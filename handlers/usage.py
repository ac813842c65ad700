"""Usage texts shown for help and for empty or malformed arguments."""

from __future__ import annotations

ALIGN_USAGE = """*alignbot* drafts SWOT analyses, OKR plans and retros from your team's knowledge.

*Drafting*
• `/swot [subject] [lens:<lens>]` e.g. `/swot data platform team lens:AI`
• `/okr [subject]` e.g. `/okr data platform team` (built from the latest saved SWOT when there is one)
• Mention me or DM me: “draft a SWOT for the payments team with a security lens”
• Reply in a draft's thread to revise it: “drop weakness 3”, “regenerate threats”

*Retros*
• `/retro [title]` open a retro now · `/retro close` · `/retro schedule weekly on friday at 15:00`

*Workspace*
• `/align mission <text>` set the mission line used in plans
• `/align kb add <text or URL>` · `/align kb list` · `/align kb search <query>` · `/align kb remove <id>`
• `/align forget` delete everything alignbot stored for this workspace (admins only)
• `/align help` this message"""

SWOT_USAGE = """Usage: `/swot [subject] [lens:<lens>]`
Examples:
• `/swot data platform team`
• `/swot checkout redesign lens:security`
• `/swot` (the whole company)"""

OKR_USAGE = """Usage: `/okr [subject]`
Examples:
• `/okr data platform team` (uses the latest saved SWOT for that subject when there is one)
• `/okr` (the whole company)"""

KB_USAGE = """Usage:
• `/align kb add <text or https:// URL>` e.g. `/align kb add Q3 churn was 2.1%, down from 2.8%`
• `/align kb list`
• `/align kb search <query>` e.g. `/align kb search churn`
• `/align kb remove <document id>` (ids are shown by `/align kb list`)
Files: share a file with me in a DM, or mention me in a message with the file attached."""

MISSION_USAGE = """Usage: `/align mission <text>`
Example: `/align mission Make every shipment visible, on time and carbon-light`"""
