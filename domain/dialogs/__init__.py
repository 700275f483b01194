"""Dialogs: a person's open conversation, kept as a row; `engine.py` runs every kind of them."""

from domain.dialogs.models import DIALOG_LIFETIME, Dialog

__all__ = ["DIALOG_LIFETIME", "Dialog"]
