"""Imports every feature's ORM models so Base.metadata is complete for Alembic and tests."""

from __future__ import annotations

from bot import workspaces  # noqa: F401
from bot.db import Base

metadata = Base.metadata
