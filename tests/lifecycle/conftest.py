"""Lifecycle tests run on the fault rig: Postgres, a Chroma server, fake Slack and LLM."""

from __future__ import annotations

from tests.faults.conftest import rig, rig_env

__all__ = ["rig", "rig_env"]
