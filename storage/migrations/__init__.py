"""Alembic migrations of the Tongxin schema."""
