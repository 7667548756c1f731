"""YAML documents as positioned values, from PyYAML's safe parser events.

Nothing is ever constructed: ``yaml.parse`` with the safe loader (libyaml's ``CSafeLoader``
when PyYAML has it, else the pure-Python ``SafeLoader``) yields events with start/end marks,
and a small iterative builder turns them into key paths and values. Custom tags (``!Ref``,
``!!python/object``) stay inert text. Compared with composing a node graph this is linear
and never recurses (PyYAML's composer hits the recursion limit on deep nesting, its C
composer overflows the C stack), and about 25 times faster on large files.

Aliases are not expanded: an anchored value is reported once, where it is written. The
builder still adds up how large the document *would* be once aliases are expanded (what a
``yaml.safe_load`` elsewhere would build) and reports a "billion laughs" document; nesting
depth and event count are bounded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import yaml
from yaml.resolver import Resolver

from auditor.errors import ScanError
from auditor.scan.context import Problem
from auditor.scan.documents.values import LIST_ITEM, ConfigDocument, ConfigValue, make_document

MAX_DEPTH = 100
"""Values nested deeper than this are not read (the structure still is)."""
MAX_FLOW_DEPTH = 1000
"""libyaml slows down quadratically on deeply nested flow collections: refuse them first."""
MAX_EVENTS = 2_000_000
MAX_EXPANDED = 1_000_000
_SIZE_CAP = MAX_EXPANDED * 10
_LIBYAML_DEPTH_LIMIT = "exceeded maximum nesting depth"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_resolve = cast(Callable[..., str], Resolver().resolve)
_INT_TAG = "tag:yaml.org,2002:int"
_NOT_TEXT_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in (
    "bool", "null", "float", "timestamp", "merge", "binary"))
_BRACKETS = re.compile(r"[\[\]{}]")


class YamlFailure(ScanError):
    """The text is not YAML the parser can read; ``line`` is 1-based when known."""

    def __init__(self, message: str, line: int | None, code: str = "parse-error") -> None:
        super().__init__(message)
        self.line = line
        self.code = code


@dataclass
class _Frame:
    mapping: bool
    path: tuple[str, ...]
    anchor: str | None
    size: int = 1
    expect_key: bool = True
    key: str = "?"


@dataclass
class _Document:
    start_line: int
    values: list[ConfigValue] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    root_keys: list[str] = field(default_factory=list)
    frames: list[_Frame] = field(default_factory=list)
    anchors: dict[str, int] = field(default_factory=dict)
    """Expanded size of each anchored node seen so far."""
    open_anchors: set[str] = field(default_factory=set)
    root_size: int = 0
    too_deep: int | None = None
    recursive: int | None = None


class _Builder:
    def __init__(self) -> None:
        self.documents: list[ConfigDocument] = []
        self.problems: list[Problem] = []
        self.doc: _Document | None = None

    def feed(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.DocumentStartEvent):
            self.doc = _Document(_line(event.start_mark))
        elif isinstance(event, yaml.DocumentEndEvent):
            self.finish()
        elif self.doc is None:
            return
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            self._open(event, mapping=isinstance(event, yaml.MappingStartEvent))
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            self._close()
        elif isinstance(event, yaml.ScalarEvent):
            self._scalar(event)
        elif isinstance(event, yaml.AliasEvent):
            self._alias(event)

    # -- structure ------------------------------------------------------------------------
    def _child_path(self) -> tuple[str, ...]:
        assert self.doc is not None
        if not self.doc.frames:
            return ()
        parent = self.doc.frames[-1]
        if len(self.doc.frames) > MAX_DEPTH:
            return parent.path  # not read this deep: keep paths (and memory) bounded
        if not parent.mapping:
            return (*parent.path, LIST_ITEM)
        return (*parent.path, "?" if parent.expect_key else parent.key)

    def _open(self, event: yaml.CollectionStartEvent, *, mapping: bool) -> None:
        doc = self.doc
        assert doc is not None
        doc.frames.append(_Frame(mapping, self._child_path(), event.anchor))
        if event.anchor:
            doc.open_anchors.add(event.anchor)
        if len(doc.frames) > MAX_DEPTH and doc.too_deep is None:
            doc.too_deep = _line(event.start_mark)

    def _close(self) -> None:
        doc = self.doc
        assert doc is not None
        frame = doc.frames.pop()
        if frame.anchor:
            doc.anchors[frame.anchor] = frame.size
            doc.open_anchors.discard(frame.anchor)
        self._done(frame.size, None)

    def _done(self, size: int, key: str | None) -> None:
        """A child node of ``size`` (expanded) is complete; ``key``: its text if a scalar."""
        doc = self.doc
        assert doc is not None
        if not doc.frames:
            doc.root_size = size
            return
        parent = doc.frames[-1]
        parent.size = min(parent.size + size, _SIZE_CAP)
        if parent.mapping:
            if parent.expect_key:
                parent.key = key if key is not None else "?"
            parent.expect_key = not parent.expect_key

    # -- leaves ---------------------------------------------------------------------------
    def _scalar(self, event: yaml.ScalarEvent) -> None:
        doc = self.doc
        assert doc is not None
        if event.anchor:
            doc.anchors[event.anchor] = 1
        parent = doc.frames[-1] if doc.frames else None
        start, end = _index(event.start_mark), _index(event.end_mark)
        if parent is not None and parent.mapping and parent.expect_key:
            name = str(event.value)
            doc.keys.add(name)
            if len(doc.frames) == 1:
                doc.root_keys.append(name)
            if "/" in name and len(doc.frames) <= MAX_DEPTH:
                doc.values.append(ConfigValue((*parent.path, name), name, start, end,
                                              is_key=True))
            self._done(1, name)
            return
        if len(doc.frames) <= MAX_DEPTH:
            value = _scalar_value(event)
            if value is not None:
                doc.values.append(ConfigValue(self._child_path(), value, start, end))
        self._done(1, None)

    def _alias(self, event: yaml.AliasEvent) -> None:
        doc = self.doc
        assert doc is not None
        anchor = event.anchor or ""
        if anchor in doc.open_anchors:
            doc.recursive = doc.recursive or _line(event.start_mark)
            self._done(1, None)
            return
        self._done(doc.anchors.get(anchor, 1), None)

    def finish(self) -> None:
        doc = self.doc
        if doc is None:
            return
        self.doc = None
        self.documents.append(make_document(doc.values, doc.keys, doc.root_keys))
        if doc.recursive is not None:
            self.problems.append(Problem(
                "yaml-recursive-alias",
                "an alias refers to its own anchor (a recursive structure); each value is "
                "reported once where it is written", doc.recursive))
        elif doc.root_size > MAX_EXPANDED:
            self.problems.append(Problem(
                "yaml-alias-bomb",
                f"aliases would expand this document to more than {MAX_EXPANDED:,} nodes "
                "(a 'billion laughs' document); it was not expanded, each anchored value is "
                "reported once at its anchor", doc.start_line))
        if doc.too_deep is not None:
            self.problems.append(Problem(
                "too-deep", f"nesting deeper than {MAX_DEPTH} levels; deeper values skipped",
                doc.too_deep))


def _scalar_value(event: yaml.ScalarEvent) -> str | int | None:
    tag = event.tag
    if tag is None or tag == "!":
        tag = _resolve(yaml.ScalarNode, event.value, event.implicit)
    if tag == _INT_TAG:
        try:
            return int(str(event.value).replace("_", ""), 0)
        except ValueError:
            return None
    if tag in _NOT_TEXT_TAGS:
        return None
    return str(event.value)


def _line(mark: Any) -> int:
    return int(mark.line) + 1 if mark is not None else 1


def _index(mark: Any) -> int:
    return int(mark.index) if mark is not None else 0


def flow_depth(text: str) -> int:
    """Deepest ``[``/``{`` nesting (brackets inside quotes are counted too: an upper bound
    for balanced text)."""
    if text.count("[") + text.count("{") <= MAX_FLOW_DEPTH:
        return 0
    depth = deepest = 0
    for match in _BRACKETS.finditer(text):
        depth = depth + 1 if match.group(0) in "[{" else max(0, depth - 1)
        deepest = max(deepest, depth)
    return deepest


def yaml_documents(text: str) -> tuple[list[ConfigDocument], list[Problem]]:
    """Every document of a YAML stream; raises ``YamlFailure`` when it cannot be read."""
    if flow_depth(text) > MAX_FLOW_DEPTH:
        raise YamlFailure(f"YAML nested too deeply to read (more than {MAX_FLOW_DEPTH} "
                          "levels of brackets)", None)
    builder = _Builder()
    try:
        for count, event in enumerate(yaml.parse(text, Loader=_LOADER)):
            if count >= MAX_EVENTS:
                builder.problems.append(Problem(
                    "too-large", f"more than {MAX_EVENTS:,} YAML events; the rest was not read"))
                builder.finish()
                break
            builder.feed(event)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = min(mark.line + 1, text.count("\n") + 1) if mark is not None else None
        reason = exc.problem or exc.context or "invalid YAML"
        if reason == _LIBYAML_DEPTH_LIMIT:
            # libyaml (PyYAML >= 6.0.4) stops at its own nesting limit: the same diagnostic as
            # our event-depth cut-off, and the values are then read line by line.
            raise YamlFailure(f"nesting deeper than libyaml's limit ({reason})", line,
                              code="too-deep") from exc
        raise YamlFailure(f"invalid YAML: {reason}", line) from exc
    except yaml.YAMLError as exc:
        raise YamlFailure(f"invalid YAML: {' '.join(str(exc).split())[:200]}", None) from exc
    return builder.documents, builder.problems
