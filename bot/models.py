"""Imports every feature's ORM models so Base.metadata is complete for Alembic and tests."""

from __future__ import annotations

from core import workspaces  # noqa: F401
from core.db import Base
from drafting import conversations  # noqa: F401
from drafting import models as drafting_models  # noqa: F401
from handlers import models as handlers_models  # noqa: F401
from knowledge import models as knowledge_models  # noqa: F401
from scheduler import models as scheduler_models  # noqa: F401
from scheduler.plans import models as plan_models  # noqa: F401

metadata = Base.metadata
