"""Pledging in Telegram: commands and entries, dialog views, their texts, delivery tracking."""
