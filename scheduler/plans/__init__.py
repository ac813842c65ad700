"""Adopted OKR plans: key results with owners, append-only check-ins, progress, pace and scores.

No Slack here: handlers/ turn these views into Block Kit, and the engine runs the check-in
rounds, reminders, digests and quarter closes through `scheduler.recurring`.
"""
