"""Totals in chat: /totals with its drill-down, /overdue."""
