"""Strict ids and audit subjects as admins type them."""

from __future__ import annotations

import pytest

from domain.errors import InvalidInput
from domain.privacy.models import AuditSubject, SubjectKind, strict_id


@pytest.mark.parametrize(
    ("written", "expected"),
    [("12", 12), ("9223372036854775807", (1 << 63) - 1)],
)
def test_strict_ids_take_ascii_digits_in_64_bits(written: str, expected: int) -> None:
    assert strict_id(written) == expected


@pytest.mark.parametrize(
    "written", ["", "0", "-5", "--5", "²", "١٢", "１２", "9223372036854775808", "9" * 20, "1 2"]
)
def test_strict_ids_refuse_everything_else(written: str) -> None:
    assert strict_id(written) is None


@pytest.mark.parametrize(
    ("written", "kind", "number"),
    [("p12", SubjectKind.PLEDGE, 12), ("A3", SubjectKind.APPEAL, 3),
     (" p #7 ", SubjectKind.PLEDGE, 7), ("a#3", SubjectKind.APPEAL, 3)],
)
def test_audit_subjects(written: str, kind: SubjectKind, number: int) -> None:
    subject = AuditSubject.parse(written)
    assert (subject.kind, subject.id) == (kind, number)
    assert subject.code == f"{kind.value[0]}{number}"


@pytest.mark.parametrize("written", ["", "12", "x12", "p", "p-1", "p²", "p0", "p12a", "a3 a4"])
def test_bad_audit_subjects_are_refused_with_the_usage(written: str) -> None:
    with pytest.raises(InvalidInput) as error:
        AuditSubject.parse(written)
    assert error.value.message.startswith("Usage: /audit p12")
