"""Imports every feature's ORM models so Base.metadata is complete for Alembic and tests."""

from __future__ import annotations

from bot import workspaces  # noqa: F401
from bot.db import Base
from drafting import conversations  # noqa: F401
from drafting import records as drafting_records  # noqa: F401
from knowledge import models as knowledge_models  # noqa: F401
from scheduler import models as scheduler_models  # noqa: F401

metadata = Base.metadata
