"""Alembic migrations for every feature's tables, applied with `alignbot db upgrade`."""
