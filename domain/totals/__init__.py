"""Totals: what an appeal raised, delivered and received, in each reader's scope."""
