"""Retros and their schedules: opening, entries, closing, and exactly-once firing (no Slack here).

Talks to Slack only through the ports in ports.py (a notifier and a synthesiser), which the
composition root fills. Imports core/ only.
"""
