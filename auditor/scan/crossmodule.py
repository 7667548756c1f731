"""Constants defined in one module and used in another: the cross-module join.

After every file is scanned (or served from the cache), this pass follows model ids through a
repository's own imports. It runs on every scan and caches nothing, so it is always computed
from the files as they are now: a cached result never depends on another file.

1. *Definition modules*: the Python files with a finding that names a model outside any
   function or class (a module-level line: its finding has no context). Their module-level
   constants that hold a model id (directly, or in a dict or tuple) give the exported names:
   an UPPER_CASE name, or any name an import statement of the root imports.
2. *Use files*: the Python files of the same root whose bytes contain one of those names and
   the last part of a loader's name as words (read again, whether or not the byte prefilter
   let them through the scan). Their loader
   arguments that are imported names are the uses (``scan.python.crossrefs``).
3. Each use is resolved through the importing file's imports: ``from pkg.constants import X``,
   ``from .constants import X``, ``import pkg.constants as c; c.X``, ``from x import *``, and
   re-exports through further modules, with cycles cut. A use whose constant holds Meta
   weights becomes the finding a same-file constant gives: LA102 at the call.

Files are mapped to module names by their path under the scan root: ``a/b/c.py`` is ``c``,
``b.c`` and ``a.b.c`` (the import root may be any ancestor: the root, ``src/``, a script's
folder); when several files have the name, the one nearest the importing file wins, and a tie
resolves nothing. Relative imports resolve against the importing file's folder. Scanned code is
parsed in ``isolate``'s worker, never imported or run.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

from auditor import isolate
from auditor.discover.found import Found
from auditor.identify.models import identify, with_provider
from auditor.ruleset.python_tables import python_tables
from auditor.ruleset.rule_ids import MODEL_LOADER
from auditor.scan.context import ScanContext
from auditor.scan.findings import hit_to_finding
from auditor.scan.links_cache import LinksCache
from auditor.scan.module_files import ModuleFiles
from auditor.scan.python.crossrefs import ModuleLinks, Use, module_links
from auditor.scan.read import read_for_scan
from auditor.types import Diagnostic, FileKind, Finding, Hit, ModelRef, Role, SourceFile

MAX_HOPS = 12
"""Re-exports followed from a use to its definition."""


def cross_module_findings(files: Sequence[tuple[Path, Found]], max_file_size: int,
                          findings: Sequence[Sequence[Finding]],
                          known: Sequence[ModuleLinks | None],
                          ctx: ScanContext, remembered: LinksCache | None = None
                          ) -> tuple[dict[int, tuple[Finding, ...]], dict[Path, Diagnostic]]:
    """Findings at use sites of other modules' constants, by position in ``files`` (the
    scan's (root, found file) list); and, by root, a diagnostic when the join failed there
    (a bug must not lose the scan's results). ``known``: by position, the links a scan
    worker already took (``definition_links``), else None. ``remembered``: links of earlier
    scans (a warm re-scan parses nothing here)."""
    by_root: dict[Path, list[int]] = defaultdict(list)
    for position, (root, found) in enumerate(files):
        if is_module(found.type.kind, found.rel):
            by_root[root].append(position)
    sources = ModuleFiles(files, max_file_size)
    out: dict[int, tuple[Finding, ...]] = {}
    failed: dict[Path, Diagnostic] = {}
    for root, positions in by_root.items():
        try:
            out.update(_Root(sources, positions, known, ctx, remembered).join(findings))
        except Exception as exc:
            failed[root] = Diagnostic(".", "scanner-error", "constants across modules not "
                                      f"followed: {type(exc).__name__}: {exc}")
    return out, failed


def is_module(kind: FileKind, rel: str) -> bool:
    """A file the join reads: Python source importable as a module (not ``setup.py`` as a
    manifest, not a notebook)."""
    return kind is FileKind.PYTHON and rel.endswith(".py")


def defines_models(findings: Sequence[Finding]) -> bool:
    """Does a Python file name a model outside any function or class? Only such a file can
    define a constant the join follows."""
    return any(f.model is not None and not f.context for f in findings)


def definition_links(file: SourceFile, text: str, findings: Sequence[Finding],
                     ctx: ScanContext, remembered: LinksCache | None = None
                     ) -> ModuleLinks | None:
    """The links of a file the join will read as a definition module, taken where the scan
    read it (in a pool worker, in parallel), so the main process does not parse it again;
    None for every other file, or when the analysis gives none (the join then parses)."""
    if not is_module(file.kind, file.rel) or not defines_models(findings) or \
            isolate.too_large(text) is not None:
        return None
    return _module_links(text, ctx, remembered)


def _module_links(text: str, ctx: ScanContext, remembered: LinksCache | None
                  ) -> ModuleLinks | None:
    if remembered is not None:
        return remembered.links(text, ctx)
    result = isolate.run_isolated(module_links, text, ctx.ruleset, ctx.parse_timeout_seconds)
    return result if isinstance(result, ModuleLinks) else None


class _Root:
    def __init__(self, files: ModuleFiles, positions: list[int],
                 known: Sequence[ModuleLinks | None], ctx: ScanContext,
                 remembered: LinksCache | None = None) -> None:
        self.files = files
        self.remembered = remembered
        self.known = known
        self.ctx = ctx
        self.by_rel = {files.rel(p): p for p in positions}
        self.links: dict[str, ModuleLinks | None] = {}
        self.texts: dict[str, str] = {}

    @cached_property
    def by_name(self) -> dict[str, list[str]]:
        """Module name -> the files it can mean (made on the first import resolved: most
        roots export no constant and resolve none)."""
        names: dict[str, list[str]] = defaultdict(list)
        for rel in self.by_rel:
            parts = rel[:-3].split("/")
            if parts[-1] == "__init__":
                parts.pop()
            for start in range(len(parts)):
                names[".".join(parts[start:])].append(rel)
        return names

    def join(self, findings: Sequence[Sequence[Finding]]) -> dict[int, tuple[Finding, ...]]:
        exported: set[str] = set()
        other_names: set[str] = set()
        for rel, position in self.by_rel.items():
            if defines_models(findings[position]):
                if self.known[position] is not None and rel not in self.links:
                    self.links[rel] = self.known[position]
                links = self._links(rel)
                for name, parts in (links.definitions.items() if links is not None else ()):
                    if any(self._meta(t) for texts in parts.values() for t in texts):
                        (exported if _CONSTANT.match(name) else other_names).add(name)
        if other_names:
            exported |= self._imported_names(other_names)
        if not exported:
            return {}
        loaders = _words(set(python_tables(self.ctx.ruleset).loader_index))
        holders = self._follow_aliases(exported, loaders)  # grows ``exported``
        words = _words(exported)
        out: dict[int, tuple[Finding, ...]] = {}
        for rel, position in self.by_rel.items():
            if rel not in self.links and rel not in holders:
                continue  # its bytes lack the names or a loader's (``_follow_aliases`` read them)
            links = self._links(rel, words, loaders)
            if links is None or not links.uses:
                continue
            text = self._text(rel)
            if text is None:
                continue
            lines = text.splitlines()
            found = [f for use in links.uses
                     if (f := self._finding(rel, use, lines)) is not None]
            if found:
                out[position] = tuple(found)
        return out

    def _meta(self, text: str) -> ModelRef | None:
        ref = identify(text, self.ctx.ruleset)
        return ref if ref is not None and ref.meta_weights else None

    def _finding(self, rel: str, use: Use, lines: list[str]) -> Finding | None:
        for text in self._resolve_use(rel, use):
            ref = self._meta(text)
            if ref is None:
                continue
            spec = python_tables(self.ctx.ruleset).loader_labelled(use.loader)
            ref = with_provider(ref, provider=spec.provider if spec is not None else None)
            hit = Hit(rule_id=MODEL_LOADER, line=use.line, column=use.column,
                      end_line=use.end_line, end_column=use.end_column, identifier=text,
                      model=ref, context=use.context, message_values=(("loader", use.loader),),
                      role=Role.MODEL_REFERENCE)
            return hit_to_finding(hit, rel, lines, self.ctx)
        return None

    # -- reading and analysing ------------------------------------------------------------
    def _imported_names(self, names: set[str]) -> set[str]:
        """Which of ``names`` an import statement of the root names (read as bytes, not
        parsed: a superset)."""
        pattern = re.compile(rb"\bimport\b(?:[ \t]*\([^)]*?|[^\n]*?)\b(" + b"|".join(
            re.escape(n.encode()) for n in sorted(names)) + rb")\b")
        return self._matches(pattern)

    def _matches(self, pattern: re.Pattern[bytes]) -> set[str]:
        """The first group of every match of ``pattern`` in the root's Python files."""
        found: set[str] = set()
        for position in self.by_rel.values():
            data = self.files.test_bytes(position)
            if data is not None:
                found.update(m.decode("utf-8", "replace") for m in pattern.findall(data))
        return found

    def _follow_aliases(self, exported: set[str], loaders: re.Pattern[bytes]) -> set[str]:
        """Grow ``exported`` by every ``NAME as OTHER`` of its names in the root's Python files
        (read as bytes, not parsed: a superset, the parse of the files that use them decides;
        at most ``MAX_HOPS`` rounds), and return the files whose bytes hold one of the names
        and a loader's name as words: the only files that can use them.

        Each round reads the files once and looks only for the names the previous round
        added, so a root without aliases is read once (a substring test comes before each
        regular expression: most files hold none of the names)."""
        holders: set[str] = set()
        new, rounds = set(exported), 0
        while new:
            aliases = self._read_round(new, loaders, holders, with_aliases=rounds < MAX_HOPS)
            rounds += 1
            new = aliases - exported
            exported |= new
        return holders

    def _read_round(self, names: set[str], loaders: re.Pattern[bytes], holders: set[str], *,
                    with_aliases: bool) -> set[str]:
        """One read of the root's Python files: the aliases of ``names`` (if asked), and
        into ``holders`` the files holding one of them and a loader's name as words."""
        encoded = [n.encode() for n in sorted(names)]
        alias = re.compile(rb"\b(?:" + b"|".join(re.escape(n) for n in encoded)
                           + rb")\s+as\s+([A-Za-z_]\w*)") if with_aliases else None
        words = _words(names)
        imported = _imported(encoded)
        aliases: set[str] = set()
        for rel, position in self.by_rel.items():
            data = self.files.test_bytes(position)
            if data is None or not any(name in data for name in encoded):
                continue  # a word is a substring first: most files stop here
            if alias is not None:
                aliases.update(m.decode("utf-8", "replace") for m in alias.findall(data))
            if words.search(data) is not None and loaders.search(data) is not None \
                    and imported.search(data) is not None:
                holders.add(rel)
        return aliases

    def _text(self, rel: str) -> str | None:
        """The file's text (read now when its links came from the scan worker)."""
        if rel not in self.texts:
            file = self.files.get(self.by_rel[rel])
            outcome = read_for_scan(file, lambda data: True) if file is not None else None
            if outcome is None or outcome.text is None:
                return None
            self.texts[rel] = outcome.text
        return self.texts[rel]

    def _links(self, rel: str, *needed: re.Pattern[bytes]) -> ModuleLinks | None:
        """The file's links; None when it is not Python or its bytes lack a needed word."""
        if rel in self.links:
            return self.links[rel]
        file = self.files.get(self.by_rel[rel])
        if file is None:
            self.links[rel] = None
            return None
        outcome = read_for_scan(
            file, lambda data: all(word.search(data) is not None for word in needed))
        if outcome.text is None:
            if not needed:
                self.links[rel] = None
            return None  # not holding a name now: read again if a re-export leads here
        links: ModuleLinks | None = None
        if isolate.too_large(outcome.text) is None:
            links = _module_links(outcome.text, self.ctx, self.remembered)
        self.links[rel] = links
        self.texts[rel] = outcome.text
        return links

    # -- resolving ------------------------------------------------------------------------
    def _resolve_use(self, rel: str, use: Use) -> list[str]:
        seen: set[tuple[str, str]] = set()
        if use.starred:
            links = self.links.get(rel)
            stars = links.stars if links is not None else ()
            for star in reversed(stars):
                module = self._module(rel, star)
                if module is not None:
                    texts = self._lookup(module, use.ref, use.keys, seen, 0)
                    if texts:
                        return texts
            return []
        return self._follow(rel, use.ref, use.keys, seen, 0)

    def _follow(self, rel: str, ref: str, keys: tuple[str, ...], seen: set[tuple[str, str]],
                hops: int) -> list[str]:
        """The strings ``ref`` (as imported in ``rel``) can hold: module part + one name."""
        level = len(ref) - len(ref.lstrip("."))
        module_body, _, name = ref[level:].rpartition(".")
        module_ref = "." * level + module_body
        if not module_ref:
            return []  # a top-level module itself, not a constant
        module = self._module(rel, module_ref)
        if module is None:
            return []
        return self._lookup(module, name, keys, seen, hops)

    def _lookup(self, module: str, name: str, keys: tuple[str, ...],
                seen: set[tuple[str, str]], hops: int) -> list[str]:
        if hops > MAX_HOPS or (module, name) in seen:
            return []  # a cycle, or too long a chain
        seen.add((module, name))
        links = self._links(module)
        if links is None:
            return []
        parts = links.definitions.get(name)
        if parts is not None:
            return [text for key in keys for text in parts.get(key, ())]
        if name in links.imports:
            return self._follow(module, links.imports[name], keys, seen, hops + 1)
        for star in reversed(links.stars):
            target = self._module(module, star)
            if target is not None:
                texts = self._lookup(target, name, keys, seen, hops + 1)
                if texts:
                    return texts
        return []

    def _readable(self, rel: str) -> bool:
        """A module of the root that can still be read (within ``--max-file-size``)."""
        return rel in self.by_rel and self.files.get(self.by_rel[rel]) is not None

    def _module(self, rel: str, module_ref: str) -> str | None:
        """The file (root-relative) a module name means when imported from ``rel``."""
        level = len(module_ref) - len(module_ref.lstrip("."))
        dotted = module_ref[level:]
        if level:
            base = posixpath.dirname(rel)
            for _ in range(level - 1):
                base = posixpath.dirname(base)
            path = posixpath.join(base, *dotted.split(".")) if dotted else base
            files = (f"{path}.py", posixpath.join(path, "__init__.py")) if dotted else \
                (posixpath.join(path, "__init__.py"),)
            return next((c for c in files if self._readable(c)), None)
        candidates = [c for c in self.by_name.get(dotted, []) if self._readable(c)]
        if len(candidates) <= 1:
            return candidates[0] if candidates else None
        here = posixpath.dirname(rel).split("/")
        closeness = sorted(((_shared(here, c.split("/")[:-1]), c) for c in candidates),
                           reverse=True)
        if closeness[0][0] == closeness[1][0]:
            return None  # as near as another: which one Python would import is not known
        return closeness[0][1]


_CONSTANT = re.compile(r"^_?[A-Z][A-Z0-9_]*$")
"""A constant's name by convention: reached as ``module.NAME`` or through ``import *``
without an import statement naming it. Other names count only when an import names them."""


def _words(names: set[str]) -> re.Pattern[bytes]:
    return re.compile(rb"\b(?:" + b"|".join(re.escape(n.encode()) for n in sorted(names))
                      + rb")\b")


def _imported(names: list[bytes]) -> re.Pattern[bytes]:
    """What a file that uses one of ``names`` from another module must hold (a use is a
    name bound by a module-level import, ``crossrefs._reference``): the name in an import
    statement (on its line, in its parentheses or after a backslash continuation), after a
    dot (``c.NAME``), or a ``*`` import. A file that binds the name itself is not parsed."""
    alternation = b"|".join(re.escape(n) for n in names)
    # A line's characters are one single-class repeat and a continuation a group repeat:
    # ``(?:\\\n|[^\n])*?`` would keep a backtracking frame per character (100 MB a megabyte).
    return re.compile(rb"\bimport\b(?:[ \t]*\([^)]*?|[^\n]*?(?:\\\r?\n[^\n]*?)*?)\b(?:"
                      + alternation + rb")\b|\.\s*(?:" + alternation + rb")\b|\bimport\s*\*")


def _shared(a: list[str], b: list[str]) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count

