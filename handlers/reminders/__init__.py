"""Reminders in chat: the reminder's texts and buttons, its answers, /reminders."""
