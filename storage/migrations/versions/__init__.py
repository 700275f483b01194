"""Alembic revisions, one file each, in order: 0001_foundation, 0002_appeals, ..."""
