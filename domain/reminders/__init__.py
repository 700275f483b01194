"""Reminders, escalation and digests: every open pledge is chased until delivered."""
