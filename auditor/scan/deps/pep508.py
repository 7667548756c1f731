"""PEP 508 requirement strings: validated by ``packaging``, split into parts as written."""

from __future__ import annotations

import re
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement

from auditor.errors import ScanError

_HEAD = re.compile(
    r"\s*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[(?P<extras>[^\]]*)\])?\s*"
)


@dataclass(frozen=True, slots=True)
class Pep508:
    name: str
    """As written."""
    extras: str
    constraint: str
    """Version specifier as written, or ``@ URL``; "" when neither."""
    marker: str
    start: int
    """Offset of the name in the text."""
    end: int
    """Offset just past the requirement (before trailing spaces)."""


class Pep508Error(ScanError, ValueError):
    """Not a valid PEP 508 requirement; the message says why."""

    code = "parse-error"


def parse_pep508(text: str) -> Pep508:
    """Split ``text``; raises Pep508Error when pip would reject it."""
    try:
        Requirement(text)
    except InvalidRequirement as exc:
        raise Pep508Error(_first_line(str(exc))) from exc
    head = _HEAD.match(text)
    if head is None:  # packaging accepted it, so this cannot happen; keep the guard honest
        raise Pep508Error(f"no package name in {text!r}")
    rest = text[head.end():]
    if rest.startswith("@"):
        url, _, marker = rest.partition(" ;")
        if not marker:
            url, _, marker = rest.partition("\t;")
        constraint = url.strip()
    else:
        constraint, _, marker = rest.partition(";")
        constraint = constraint.strip()
    return Pep508(
        name=head.group("name"),
        extras=",".join(e.strip() for e in (head.group("extras") or "").split(",") if e.strip()),
        constraint=constraint,
        marker=marker.strip(),
        start=head.start("name"),
        end=len(text.rstrip()),
    )


def pep508_name(text: str) -> str | None:
    """Just the package name at the start of a requirement string, without validating it."""
    head = _HEAD.match(text)
    return head.group("name") if head else None


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else "invalid requirement"
