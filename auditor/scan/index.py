"""The warm-scan index: per-file results of the last scan, trusted while a file's stat is.

The content-keyed ``ResultCache`` still has to read and hash every file. This index, one
JSON file per set of roots and options, maps each file's absolute path to its size,
modification and change times and inode as discovered, plus the per-file result. A re-scan
serves every file whose stat is unchanged straight from the index, without opening it: that
is what makes a scan of an unchanged tree cost little more than walking it.

Trust rules (the same reasoning as git's "racy clean" check):

- an entry is written only for a file whose modification and change times are more than
  ``SETTLE_NS`` before the scan started: a file edited while it was being scanned, or within
  the timestamp granularity of its filesystem, always shows a newer time on the next scan;
- a result that depended on other files (a lockfile's manifest, ``-r`` includes) carries
  their stats too, taken the same way, and is served only while those are unchanged
  (a file that was missing must still be missing);
- a file without a stamp and a result with a machine- or moment-dependent diagnostic are
  never indexed;
- the index lives beside the result cache, under the tool, rules and code version, so any
  change to those starts a new one.

A missing, unreadable or corrupt index is an empty one; one that cannot be written is skipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from auditor.serialize import (
    cached_outcome,
    comment_from_list,
    comment_to_list,
    diagnostic_to_dict,
    finding_to_dict,
)
from auditor.types import Diagnostic, Finding, SourceFile, SuppressionComment
from auditor.util.files import read_regular_file, write_atomically

MAX_INDEX_BYTES = 512 * 1024 * 1024
"""An index larger than this is not read (200,000 files index in about 60 MB)."""

SETTLE_NS = 2_000_000_000
"""How long before the scan a file must have last changed for its stat to be trusted."""

Outcome = tuple[tuple[Finding, ...], tuple[Diagnostic, ...], bool, bool,
                tuple[SuppressionComment, ...]]
"""(findings, diagnostics, scanned, parsed, suppression comments): one file's result."""


class StatIndex:
    def __init__(self, directory: Path, roots: Iterable[Path], options_tag: str,
                 started_ns: int) -> None:
        digest = hashlib.blake2b(digest_size=16)
        for root in roots:
            digest.update(os.fsencode(os.path.abspath(root)) + b"\0")
        digest.update(options_tag.encode("utf-8"))
        self.path = directory / "index" / f"{digest.hexdigest()}.json"
        self.trusted_before_ns = started_ns - SETTLE_NS
        self._old = self._load()
        self._new: dict[str, list[Any]] = {}
        self._changed = False

    def _load(self) -> dict[str, list[Any]]:
        try:
            # Not a pipe, not a link (to /dev/zero, say), not oversized: else no index.
            raw, size = read_regular_file(self.path, MAX_INDEX_BYTES)
            if size > MAX_INDEX_BYTES:
                return {}
            data = json.loads(raw)
        except (OSError, ValueError, RecursionError):
            return {}
        return data if isinstance(data, dict) else {}

    def knows(self, key: str) -> bool:
        """Whether the index holds a result for the file at ``key`` (its absolute path): only
        then is the file ``stat``ed before it is scanned."""
        return key in self._old

    def lookup(self, file: SourceFile) -> Outcome | None:
        """The indexed result when the file's stat is unchanged, else None."""
        key = str(file.path)
        entry = self._old.get(key)
        if entry is None or not self._trusted(file.stamp):
            return None
        try:
            (size, mtime, ctime, inode, kind, rel, found, problems, scanned, parsed, inputs,
             comments) = entry
            if (size != file.size or (mtime, ctime, inode) != file.stamp
                    or kind != file.kind.value or rel != file.rel):
                return None
            if not isinstance(scanned, bool) or not isinstance(parsed, bool):
                return None
            if inputs and any(not isinstance(item, list) or not item
                              or not isinstance(item[0], str)
                              or _input_state(item[0]) != item for item in inputs):
                return None
            findings, diagnostics = cached_outcome(found or [], problems or [])
            outcome = (findings, diagnostics, scanned, parsed,
                       tuple(comment_from_list(c) for c in comments) if comments else ())
        except (ValueError, TypeError, KeyError, IndexError):  # ResultFormatError included
            return None
        self._new[key] = entry
        return outcome

    def record(self, file: SourceFile, outcome: Outcome, inputs: Iterable[str] = ()) -> None:
        """Index a freshly computed result, when its file and the other files it read have
        settled."""
        states = [_input_state(path) for path in inputs]
        if not self._trusted(file.stamp) or not all(
                len(state) == 1 or self._trusted(state[2:5]) for state in states):
            return
        findings, diagnostics, scanned, parsed, comments = outcome
        self._new[str(file.path)] = [
            file.size, *file.stamp, file.kind.value, file.rel,
            [finding_to_dict(f) for f in findings],
            [diagnostic_to_dict(d) for d in diagnostics],
            scanned, parsed, states, [comment_to_list(c) for c in comments],
        ]
        self._changed = True

    def _trusted(self, stamp: Sequence[Any]) -> bool:
        mtime, ctime, inode = stamp
        return bool(inode) and max(mtime, ctime) < self.trusted_before_ns

    def save(self) -> None:
        """Write the entries seen in this scan (files gone since are dropped); a no-op when
        nothing changed, silent when the disk refuses."""
        if not self._changed and self._new.keys() == self._old.keys():
            return
        with contextlib.suppress(OSError):
            write_atomically(self.path, json.dumps(self._new, separators=(",", ":")))


def _input_state(path: str) -> list[Any]:
    """[path, size, mtime_ns, ctime_ns, inode] of a regular file, else [path]."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return [path]
    if not stat.S_ISREG(st.st_mode):
        return [path]
    return [path, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
