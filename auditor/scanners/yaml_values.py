"""YAML documents as positioned values, via PyYAML's composer (never its constructors).

``yaml.compose_all`` with the safe loader builds the node graph with start/end marks and
resolves nothing dangerous: custom tags (``!Ref``, ``!!python/object``) stay inert nodes. An
alias is the same node object as its anchor, so each anchored value is walked and reported
once, where it is written. The walk still computes how large the document *would* be once
aliases are expanded (what ``yaml.safe_load`` elsewhere would build) and reports a
"billion laughs" document; nesting and node count are bounded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from .base import Problem
from .config_values import LIST_ITEM, ConfigDocument, ConfigValue, make_document

MAX_DEPTH = 100
MAX_NODES = 500_000
MAX_EXPANDED = 1_000_000
_INT_TAG = "tag:yaml.org,2002:int"
_NOT_TEXT_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in (
    "bool", "null", "float", "timestamp", "merge", "binary"))


class YamlFailure(Exception):
    """The text is not YAML the composer can read; ``line`` is 1-based when known."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


@dataclass
class _Walk:
    values: list[ConfigValue] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    sizes: dict[int, int] = field(default_factory=dict)
    active: set[int] = field(default_factory=set)
    nodes: int = 0
    too_deep: int | None = None
    recursive: int | None = None
    truncated: bool = False

    def walk(self, node: yaml.Node, path: tuple[str, ...], depth: int) -> int:
        """Record the values under ``node``; return its alias-expanded size."""
        key = id(node)
        if key in self.active:
            self.recursive = self.recursive or node.start_mark.line + 1
            return 1
        if key in self.sizes:
            return self.sizes[key]
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.truncated = True
            return 1
        if depth > MAX_DEPTH:
            self.too_deep = self.too_deep or node.start_mark.line + 1
            return 1
        self.active.add(key)
        size = 1
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                name = self._key(key_node, path)
                size += self.walk(value_node, (*path, name), depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                size += self.walk(item, (*path, LIST_ITEM), depth + 1)
        elif isinstance(node, yaml.ScalarNode):
            self._scalar(node, path)
        self.active.discard(key)
        size = min(size, MAX_EXPANDED * 10)
        self.sizes[key] = size
        return size

    def _key(self, node: yaml.Node, path: tuple[str, ...]) -> str:
        if not isinstance(node, yaml.ScalarNode):
            return "?"
        name = str(node.value)
        self.keys.add(name)
        if "/" in name:
            self.values.append(ConfigValue((*path, name), name, node.start_mark.index,
                                           node.end_mark.index, is_key=True))
        return name

    def _scalar(self, node: yaml.ScalarNode, path: tuple[str, ...]) -> None:
        value: str | int = str(node.value)
        if node.tag == _INT_TAG:
            try:
                value = int(str(node.value).replace("_", ""), 0)
            except ValueError:
                return
        elif node.tag in _NOT_TEXT_TAGS:
            return
        self.values.append(ConfigValue(path, value, node.start_mark.index, node.end_mark.index))


def yaml_documents(text: str) -> tuple[list[ConfigDocument], list[Problem]]:
    """Every document of a YAML stream; raises ``YamlFailure`` when it cannot be read."""
    documents: list[ConfigDocument] = []
    problems: list[Problem] = []
    try:
        roots = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = exc.problem or exc.context or "invalid YAML"
        raise YamlFailure(f"invalid YAML: {reason}", line) from exc
    except yaml.YAMLError as exc:
        raise YamlFailure(f"invalid YAML: {_one_line(str(exc))}", None) from exc
    except RecursionError as exc:
        raise YamlFailure("YAML nested too deeply to read", None) from exc
    for root in roots:
        if root is None:
            continue
        walk = _Walk()
        expanded = walk.walk(root, (), 0)
        root_keys = []
        if isinstance(root, yaml.MappingNode):
            root_keys = [str(k.value) for k, _ in root.value if isinstance(k, yaml.ScalarNode)]
        documents.append(make_document(walk.values, walk.keys, root_keys))
        line = root.start_mark.line + 1
        if walk.recursive is not None:
            problems.append(Problem(
                "yaml-recursive-alias",
                "an alias refers to its own anchor (a recursive structure); each value is "
                "reported once where it is written", walk.recursive))
        elif expanded > MAX_EXPANDED:
            problems.append(Problem(
                "yaml-alias-bomb",
                f"aliases would expand this document to more than {MAX_EXPANDED:,} nodes "
                "(a 'billion laughs' document); it was not expanded, each anchored value is "
                "reported once at its anchor", line))
        if walk.too_deep is not None:
            problems.append(Problem(
                "too-deep", f"nesting deeper than {MAX_DEPTH} levels; deeper values skipped",
                walk.too_deep))
        if walk.truncated:
            problems.append(Problem(
                "too-large", f"more than {MAX_NODES:,} YAML nodes; the rest was not read", line))
            break
    return documents, problems


def _one_line(message: str) -> str:
    return " ".join(message.split())[:200]
