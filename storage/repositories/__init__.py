"""Repositories: the domain's ports implemented on an `AsyncSession`; they never commit."""
