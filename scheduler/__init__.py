"""Recurring retros: schedules, the leader lock and exactly-once firing (no Slack here)."""
