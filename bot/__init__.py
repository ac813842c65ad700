"""alignbot's composition root: it builds and runs everything, and nothing imports it.

- settings.py: the one Settings object, composed of each package's settings group.
- composition.py: the builders, one per process (serving, worker, scheduling engine).
- serving.py, server.py, app.py: the Slack-facing process, its HTTP/Socket Mode server and Bolt app.
- work.py, worker_process.py: where jobs run (threads here, or a child process).
- recovery.py: start-up recovery of what a killed process left; migrate.py and migrations/.
- cli/: the `alignbot` command, one module per command group; demo.py: `alignbot demo`.
"""
