"""Remembered module links: a warm re-scan does not parse a file again for the cross-module join.

The join reads the links (definitions, imports, loader uses) of the modules that define
constants and of the files that may use them; a warm re-scan takes every file's findings from
the index without reading it, so it used to parse those modules again (on llama-cookbook 30
files, a third of a warm scan). Entries are keyed by the file's text alone (links do not
depend on the path) and live in the result cache's version directory, so another tool, rules
or code version never reads them. An entry that cannot be read, or is not what this module
writes, is a miss; a disk that refuses writes stops the caching, never the scan.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from pathlib import Path
from typing import Any

from auditor import isolate
from auditor.scan.context import ScanContext
from auditor.scan.python.crossrefs import ModuleLinks, Use, module_links
from auditor.util.files import read_regular_file, write_atomically

MAX_ENTRY_BYTES = 16 * 1024 * 1024
_NOT_PYTHON = {"python": False}


class LinksCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory / "links"
        self.enabled = True

    def links(self, text: str, ctx: ScanContext) -> ModuleLinks | None:
        """The text's links (None: not valid Python, or the analysis failed): remembered, else
        computed in the isolated worker and remembered unless the failure may pass (a timeout,
        a crash)."""
        path = self._path(text)
        if self.enabled:
            with contextlib.suppress(OSError, ValueError, TypeError, KeyError, RecursionError):
                raw, size = read_regular_file(path, MAX_ENTRY_BYTES)
                if size <= MAX_ENTRY_BYTES:
                    return links_from_json(json.loads(raw))
        result = isolate.run_isolated(module_links, text, ctx.ruleset, ctx.parse_timeout_seconds)
        if isinstance(result, ModuleLinks) or result is None:
            self._put(path, result)
            return result
        return None

    def _path(self, text: str) -> Path:
        key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()
        return self.directory / key[:2] / f"{key}.json"

    def _put(self, path: Path, links: ModuleLinks | None) -> None:
        if not self.enabled:
            return
        try:
            write_atomically(path, json.dumps(links_to_json(links)))
        except OSError:
            self.enabled = False


def links_to_json(links: ModuleLinks | None) -> dict[str, Any]:
    if links is None:
        return dict(_NOT_PYTHON)
    return {
        "python": True,
        "definitions": {name: {key: list(values) for key, values in keys.items()}
                        for name, keys in links.definitions.items()},
        "imports": links.imports,
        "stars": list(links.stars),
        "uses": [[u.ref, list(u.keys), u.starred, u.line, u.column, u.end_line, u.end_column,
                  u.context, u.loader] for u in links.uses],
    }


def links_from_json(data: Any) -> ModuleLinks | None:
    """The links an entry holds; ValueError (or TypeError, KeyError) when it is not an entry
    ``links_to_json`` wrote."""
    if not isinstance(data, dict) or not isinstance(data.get("python"), bool):
        raise ValueError("not a links entry")
    if not data["python"]:
        return None
    definitions = {_text(name): {_text(key): tuple(_text(v) for v in _list(values))
                                 for key, values in _dict(keys).items()}
                   for name, keys in _dict(data["definitions"]).items()}
    imports = {_text(name): _text(target) for name, target in _dict(data["imports"]).items()}
    stars = tuple(_text(module) for module in _list(data["stars"]))
    uses = tuple(_use(item) for item in _list(data["uses"]))
    return ModuleLinks(definitions, imports, stars, uses)


def _use(item: Any) -> Use:
    ref, keys, starred, line, column, end_line, end_column, context, loader = _list(item)
    numbers = (line, column, end_line, end_column)
    if not isinstance(starred, bool) or not all(
            type(n) is int for n in numbers):
        raise ValueError("not a use")
    return Use(_text(ref), tuple(_text(k) for k in _list(keys)), starred, line, column,
               end_line, end_column, _text(context), _text(loader))


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("not a string")
    return value


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise ValueError("not a list")
    return value


def _dict(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError("not an object")
    return value
