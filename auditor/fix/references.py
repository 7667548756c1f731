"""Where other Python files of the project use a name as an attribute of a given module.

``fix`` renames ``from transformers import LlamaForCausalLM`` to the Auto class when every use
in the file is rewritten. Another file may still reach the old name through this module:
``patch("pkg.train.LlamaForCausalLM.from_pretrained")`` in a test, ``pkg.train.LlamaForCausalLM``
or ``from pkg.train import LlamaForCausalLM``. Renaming the class there breaks that file (seen
on llama-cookbook: 29 of its tests failed with AttributeError), and keeping the import while
rewriting the call makes the patch miss. This index finds such uses; the class is then left
as a manual step that names the other file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath

_SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "venv", "__pycache__", ".tox",
                        "site-packages", "build", "dist"})


def module_names(rel: str) -> list[str]:
    """The dotted names a Python file can be imported as, longest first, at least two parts
    (``src/pkg/train.py``: ``src.pkg.train``, ``pkg.train``); a lone ``train`` is too common a
    word to search for."""
    path = PurePosixPath(rel)
    if path.suffix != ".py":
        return []
    parts = list(path.with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return [".".join(parts[i:]) for i in range(len(parts) - 1) if parts[i].isidentifier()
            and all(p.isidentifier() for p in parts[i:])]


class ExternalReferences:
    """The project's Python files under ``roots`` (directories only), read once, when first
    asked."""

    def __init__(self, roots: Mapping[str, Path]) -> None:
        self._roots = {label: path for label, path in roots.items() if path.is_dir()}
        self._texts: dict[tuple[str, str], str] | None = None

    def find(self, root: str, rel: str, name: str) -> str | None:
        """``path:line`` of the first other file that uses ``name`` through module ``rel``."""
        dotted = module_names(rel)
        if not dotted or not name.isidentifier():
            return None
        alternatives = "|".join(re.escape(d) for d in dotted)
        pattern = re.compile(
            rf"(?<![\w.])(?:{alternatives})\.{name}\b"
            rf"|\bfrom\s+(?:{alternatives})\s+import\s+\(?[\w\s,]*?\b{name}\b")
        for (label, other), text in sorted(self._all().items()):
            if (label, other) == (root, rel) or name not in text:
                continue
            found = pattern.search(text)
            if found is not None:
                return f"{other}:{text.count(chr(10), 0, found.start()) + 1}"
        return None

    def _all(self) -> dict[tuple[str, str], str]:
        if self._texts is None:
            self._texts = {}
            for label, root in self._roots.items():
                for path in _python_files(root):
                    try:
                        text = path.read_text(encoding="utf-8")
                    except (OSError, UnicodeDecodeError):
                        continue
                    self._texts[(label, path.relative_to(root).as_posix())] = text
        return self._texts


def _python_files(root: Path) -> Iterator[Path]:
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            entries = sorted(directory.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.is_symlink():
                continue
            if entry.is_dir():
                if entry.name not in _SKIP_DIRS:
                    stack.append(entry)
            elif entry.suffix == ".py":
                yield entry
