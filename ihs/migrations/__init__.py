"""Alembic migrations of the schema (`ihs.migrate` runs them)."""
