"""The kernel: what every other package builds on, importing nothing of ours.

The declarative base, engines and `session_scope` (db), workspaces and their mission
(workspaces), batched writes (group_commit), logging with secret scrubbing (logs), the clock
(clock), the job-queue protocol (jobs) and the retro vocabulary shared by the scheduler, the
drafting engine and the Slack side (retro_sections).
"""
