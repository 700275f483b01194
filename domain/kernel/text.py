"""Free text a person writes (a name, a title, a place, a message): trimmed, never empty or huge."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import InvalidInput


@dataclass(frozen=True)
class TextRule:
    """How one kind of free text is cleaned, and what a person is told when it cannot be kept."""

    #: the refusal of an empty (or all white space) text
    empty: str
    #: the most characters it may have
    limit: int
    #: the refusal past the limit; it may name `{limit}` and the text's `{length}`
    too_long: str
    #: True folds every run of white space to one space; False keeps the lines as written
    one_line: bool = True

    def clean(self, raw: str) -> str:
        """The text, trimmed (and folded to one line if the rule says so), or a refusal."""
        clean = " ".join(raw.split()) if self.one_line else raw.strip()
        if not clean:
            raise InvalidInput(self.empty)
        if len(clean) > self.limit:
            fields = {"limit": self.limit, "length": len(clean)}
            raise InvalidInput(
                self.too_long, **{k: v for k, v in fields.items() if f"{{{k}}}" in self.too_long}
            )
        return clean
