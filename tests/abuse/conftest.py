"""Abuse tests share the fault rig (Postgres, Chroma server, fake Slack and LLM), with redaction on."""

from __future__ import annotations

import pytest

from tests.faults.conftest import rig

__all__ = ["rig", "rig_env"]


@pytest.fixture(scope="module")
def rig_env() -> dict[str, str]:
    # The fake LLM listens on 127.0.0.1, which counts as local; production providers are not.
    return {"LLM__REDACT": "true"}
