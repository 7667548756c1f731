"""One requirement as pip reads it (``name[extras] constraint ; marker``, a URL, a VCS link or
a local path), parsed with requirements-parser and taken apart as written."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import PurePosixPath

from requirements.requirement import Requirement as ParsedRequirement

from auditor.errors import ScanError

_ARCHIVE = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar", ".zip")


class RequirementError(ScanError, ValueError):
    """A requirement pip would reject."""

    code = "parse-error"


_HEAD = re.compile(
    r"(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[(?P<extras>[^\]]*)\])?\s*")


@lru_cache(maxsize=4096)
def read_requirement(body: str, *, editable: bool = False
                     ) -> tuple[str, str, str, str] | None:
    """(name, constraint, extras, marker), all as written; None for a nameless local path.

    Raises RequirementError for text pip would reject. Remembered by text: the same lines
    recur across a repository's requirements files, and parsing one takes tens of microseconds.
    """
    is_url = "://" in body or re.match(r"[\w.-]+(\[[^\]]*\])?\s*@", body) is not None
    if not is_url and _looks_like_path(body, editable):
        return _local_path(body)
    url_part, marker = _split_marker(body, is_url)
    try:
        parsed = ParsedRequirement.parse(("-e " if editable else "") + url_part)
    except (ValueError, TypeError, AttributeError, AssertionError, IndexError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RequirementError(message) from exc
    name = parsed.name
    if parsed.specifier and not is_url:
        head = _HEAD.match(url_part)
        assert head is not None  # packaging accepted the line, so it starts with a name
        constraint = url_part[head.end():].strip()
        return head.group("name"), constraint, _extras(head.group("extras")), marker
    if not name:
        name = name_from_url(url_part)
        if not name:
            raise RequirementError(f"cannot tell the package name of {url_part!r}; add #egg=NAME")
    head = _HEAD.match(url_part)
    if head and head.group("name") == name and "@" in url_part[head.end():head.end() + 1]:
        constraint = url_part[head.end():].strip()
        return name, constraint, _extras(head.group("extras")), marker
    extras = ",".join(parsed.extras or [])
    return str(name), url_part.strip(), extras, marker


def _extras(raw: str | None) -> str:
    return ",".join(e.strip() for e in (raw or "").split(",") if e.strip())


def _split_marker(body: str, is_url: bool) -> tuple[str, str]:
    separator = "; " if is_url else ";"
    if separator in body:
        head, _, marker = body.partition(separator)
        return head.rstrip(), marker.strip()
    return body, ""


def _looks_like_path(body: str, editable: bool) -> bool:
    if body.startswith((".", "/", "~")) or "/" in body or "\\" in body:
        return True
    return editable or body.lower().endswith(_ARCHIVE)


def _local_path(body: str) -> tuple[str, str, str, str] | None:
    path, marker = _split_marker(body, True)
    name = name_from_filename(PurePosixPath(path.replace("\\", "/")).name)
    if name is None:
        return None
    return name, path.strip(), "", marker


def name_from_url(url: str) -> str | None:
    """The project a URL most likely installs: ``#egg=`` or the last path segment."""
    egg = re.search(r"[#&]egg=([A-Za-z0-9._-]+)", url)
    if egg:
        return egg.group(1)
    path = url.split("#", 1)[0].split("?", 1)[0].rstrip("/")
    segment = path.rsplit("/", 1)[-1]
    if "@" in segment and not segment.startswith("@"):
        segment = segment.split("@", 1)[0]
    return name_from_filename(segment)


def name_from_filename(filename: str) -> str | None:
    """Project name of a wheel, sdist, VCS repository or directory name; None if there is none."""
    lower = filename.lower()
    if lower.endswith(".whl"):
        return filename.split("-", 1)[0] or None
    for suffix in _ARCHIVE:
        if lower.endswith(suffix):
            stem = filename[: -len(suffix)]
            name, sep, version = stem.rpartition("-")
            return (name if sep and version[:1].isdigit() else stem) or None
    if lower.endswith(".git"):
        filename = filename[:-4]
    if not re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?", filename):
        return None
    return filename
