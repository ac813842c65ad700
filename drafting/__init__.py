"""Drafting: grounded SWOT, OKR plan and retro drafts from the knowledge base (no Slack here).

`Drafter` (service.py) drafts; `DraftDesk` (desk.py) keeps the records (requests, versions,
thread transcripts); `RetroSynthesis` drafts retros from what a team wrote. draft.py holds
the pydantic shapes of a draft, models.py the SQL tables. Imports knowledge/ and core/ only.
"""
