"""Errors the domain raises; their text is an untranslated gettext message id."""

from __future__ import annotations


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown, not here."""
    return message


class DomainError(Exception):
    """A refusal a person should read: `message` is a gettext msgid with `{name}` fields."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message.format(**params) if params else message)
        self.message = message
        self.params = params


class NotFound(DomainError):
    """What the person named does not exist (or is not theirs to see)."""


class PermissionDenied(DomainError):
    """The person may not do this, checked on their numeric id at the moment of the action."""


class InvalidInput(DomainError):
    """The person wrote something the bot cannot accept; nothing was stored."""


class Conflict(DomainError):
    """The action clashes with what already exists (duplicate, still referenced, stale)."""
