"""The Hub's repository id grammar, applied to every id a Hub answer or the Hub cache returns.

An id is ``owner/name``: each part 1-96 characters of ASCII letters, digits, ``_``, ``-`` and
``.``, starting and ending with a letter, digit or ``_``, with no ``--`` or ``..`` and not
ending in ``.git`` (``huggingface_hub.utils.validate_repo_id``, restricted to ASCII and to
the two-part form every replacement uses). Nothing else - no space, control character, quote,
``;``, ``$``, newline or ``/`` beyond the one separator - can pass, so an accepted id is safe to
write into a Dockerfile, a shell script, a ``.env`` file, a compose file or Python source.
"""

from __future__ import annotations

import re

MAX_PART = 96
PART = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?")


def _valid_part(part: str) -> bool:
    return (len(part) <= MAX_PART and PART.fullmatch(part) is not None
            and "--" not in part and ".." not in part)


def is_valid_model_id(value: object) -> bool:
    """True when ``value`` is a string in the Hub's ``owner/name`` grammar."""
    if not isinstance(value, str) or value.count("/") != 1:
        return False
    owner, name = value.split("/")
    return _valid_part(owner) and _valid_part(name) and not name.lower().endswith(".git")


def invalid_id_reason(value: object) -> str | None:
    """None for a valid id, else a one-line reason (the value itself is never quoted raw)."""
    if is_valid_model_id(value):
        return None
    if not isinstance(value, str):
        return f"the id is a {type(value).__name__}, not a string"
    return "the id is not owner/name of letters, digits, '_', '-' and '.' (≤ 96 each)"
