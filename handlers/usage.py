"""Usage texts shown for help and for empty or malformed arguments."""

from __future__ import annotations

ALIGN_USAGE = """*alignbot* drafts SWOT analyses, OKR plans and retros from your team's knowledge.

*Drafting*
• `/swot [subject] [lens:<lens>]` e.g. `/swot data platform team lens:AI`
• `/okr [subject]` e.g. `/okr data platform team` (built from the latest saved SWOT when there is one)
• Mention me or DM me: “draft a SWOT for the payments team with a security lens”
• Reply in a draft's thread to revise it: “drop weakness 3”, “regenerate threats”

*Tracked OKRs*
• *Adopt plan* under an OKR draft, or `/okr adopt` · `/okr status` · `/okr edit 2.3`
• Owners check in from a weekly DM, or reply in a thread: `KR 2.3: 42% at risk, blocked on hiring`

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
• `/okr` (the whole company)

*Tracking a plan*
• `/okr adopt [2027-Q2]` track this channel's latest OKR draft (or press *Adopt plan* under it)
• `/okr status [plan]` where a plan stands · `/okr list` every plan
• `/okr edit 2.3` change key result 2.3 (owner, baseline, target, direction, due)
• `/okr checkins weekly on monday at 10:00` when owners get their check-in DM
• `/okr archive [plan]` stop tracking a plan (its history stays)
• `/okr score 1.2 0.7 <why>` adjust a key result's score at the quarter's end
Owners check in from their DM, or reply in a thread here: `KR 2.3: 42% at risk, blocked on hiring`"""

KB_USAGE = """Usage:
• `/align kb add <text or https:// URL>` e.g. `/align kb add Q3 churn was 2.1%, down from 2.8%`
• `/align kb list`
• `/align kb search <query>` e.g. `/align kb search churn`
• `/align kb remove <document id>` (ids are shown by `/align kb list`)
Files: share a file with me in a DM, or mention me in a message with the file attached."""

MISSION_USAGE = """Usage: `/align mission <text>`
Example: `/align mission Make every shipment visible, on time and carbon-light`"""
