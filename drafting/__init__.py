"""Drafting: grounded SWOT, OKR plan and retro drafts from the knowledge base (no Slack here)."""
