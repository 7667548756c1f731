"""Template selections follow the model: ``template: llama3`` becomes ``qwen3_5`` when the file's
model moves to Qwen3.5 and ``qwen3_5`` is a registered template (``rules/templates.toml``).

The registry is what the scanned project registers itself (``register_template(name=...)``,
``register_conv_template(Conversation(name=...))``, the members of an enum of chat templates
such as axolotl's ``class ChatTemplate(str, Enum): gemma4 = "gemma4"``) plus the names of
libraries it uses
(``[[template_library]]``). A selection moves only when every model reference swapped in its
file is of one family, that family has a template name (``[[template_family]]``), and the
name is registered; a registration itself, a comparison and a list of choices never move.
Anything else is left, with the reason. So ``fix`` never writes a name the registry lacks.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from auditor.fix.model import Choice, Chosen, NotChosen
from auditor.ruleset.load import RuleError, RuleSet
from auditor.types import Effort, Finding, Role

TEMPLATE_ORIGIN = "template registered"
"""The origin of a moved template selection: ``verify`` lets only these through."""

_REGISTERING = frozenset({"register_template", "register_conv_template"})
_TEMPLATE_ENUM = re.compile(r"ChatTemplates?$")
"""The name of a class whose string members are the chat templates a project offers."""
_SKIP_DIRS = frozenset({".git", "node_modules", ".venv", "venv", "site-packages", "__pycache__",
                        ".tox", "build", "dist"})
_MAX_BYTES = 2 << 20
_NOT_A_SELECTION = re.compile(r"==|!=|\bin\s*[\[(]|choices")


@dataclass(frozen=True, slots=True)
class TemplateTable:
    families: Mapping[str, tuple[str, ...]]
    """Catalog family -> template names for it, preferred first."""
    libraries: tuple[tuple[str, tuple[str, ...], frozenset[str], str], ...]
    """(library, import names, registered names, source)."""

    @classmethod
    def from_ruleset(cls, ruleset: RuleSet) -> TemplateTable:
        return _table_for(ruleset)


@dataclass(frozen=True, slots=True)
class Registry:
    names: Mapping[str, str]
    """Registered template name -> where (``path:line`` or the library and its source)."""
    registrations: frozenset[tuple[str, str, int]]
    """(root, path, line) of every name a registration writes: never renamed."""


def project_registry(roots: Mapping[str, Path], table: TemplateTable) -> Registry:
    """The template names the scanned trees register, and those of libraries they import."""
    names: dict[str, str] = {}
    registrations: set[tuple[str, str, int]] = set()
    imported: set[str] = set()
    wanted = {use for _, uses, _, _ in table.libraries for use in uses}
    for root, base in roots.items():
        for rel, text in _python_files(base):
            if "register_template" in text or "register_conv_template" in text or \
                    "ChatTemplate" in text:
                for name, line in _registered(text):
                    names.setdefault(name, f"{rel}:{line}")
                    registrations.add((root, rel, line))
            imported.update(u for u in wanted if re.search(
                rf"^\s*(?:from|import)\s+{re.escape(u)}\b", text, re.MULTILINE))
    for library, uses, listed, source in table.libraries:
        if imported.intersection(uses):
            for name in listed:
                names.setdefault(name, f"{library} ({source})")
    return Registry(names, frozenset(registrations))


def template_moves(groups: Mapping[tuple[str, str], Sequence[Finding]],
                   choose: Callable[[Finding], Choice], registry: Registry,
                   table: TemplateTable, roots: Mapping[str, Path]) -> dict[Finding, Choice]:
    """The choice for every template selection: the registered name of the template of the
    family its models move to, or why it stays. In Python the models are those of the same
    function (or of the module's top level); in a config file, the file's."""
    moves: dict[Finding, Choice] = {}
    for (root, rel), group in groups.items():
        selections = [f for f in group if f.role is Role.TEMPLATE_SELECTION and f.identifier]
        if not selections:
            continue
        scope = _scopes(roots.get(root, Path(root)), rel)
        models = [f for f in group if f.model is not None and f.role in (
            None, Role.MODEL_REFERENCE)]
        for finding in selections:
            near = [f for f in models if scope(f.line) == scope(finding.line)]
            chosen = [(f, c) for f in near if f.effort is Effort.SWAP
                      for c in [choose(f)] if isinstance(c, Chosen)]
            retrained = [(f, c) for f in near if f.effort is Effort.RETRAIN
                         for c in [choose(f)] if isinstance(c, Chosen)]
            moves[finding] = _move(finding, chosen, registry, table)
            if not chosen and retrained:
                moves[finding] = _after_retraining(retrained, registry, table)
    return moves


def _scopes(base: Path, rel: str) -> Callable[[int], tuple[int, int]]:
    """line -> the innermost function or class around it ((0, 0): the top level, or a file
    that is not Python)."""
    spans: list[tuple[int, int]] = []
    if rel.endswith(".py"):
        path = base / rel if base.is_dir() else base
        try:
            tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
        except (OSError, SyntaxError, ValueError, RecursionError):
            tree = None
        if tree is not None:
            spans = [(n.lineno, n.end_lineno or n.lineno) for n in ast.walk(tree)
                     if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]

    def scope(line: int) -> tuple[int, int]:
        around = [s for s in spans if s[0] <= line <= s[1]]
        return max(around, default=(0, 0))  # the innermost starts last
    return scope


def _after_retraining(retrained: Sequence[tuple[Finding, Chosen]], registry: Registry,
                      table: TemplateTable) -> NotChosen:
    """A training config is retrained, never rewritten: name the template to select then."""
    move = _move_to(retrained, registry, table)
    target = retrained[0][1].hub_id or retrained[0][1].text
    if isinstance(move, Chosen):
        return NotChosen(f"the model of this file is retrained, not swapped: when you retrain "
                         f"on {target}, select '{move.text}' "
                         f"({move.origin.removeprefix('template ')})")
    return NotChosen(f"the model of this file is retrained, not swapped; for {target}: "
                     f"{move.reason}")


def _move(finding: Finding, chosen: Sequence[tuple[Finding, Chosen]], registry: Registry,
          table: TemplateTable) -> Choice:
    if (finding.root, finding.path, finding.line) in registry.registrations:
        return NotChosen("it registers the template: a registration is never renamed (other "
                         "code selects it by this name)")
    if _NOT_A_SELECTION.search(finding.snippet):  # the finding's source line
        return NotChosen("it is compared with or listed among template names, not a "
                         "selection: change it by hand if the code should handle the new one")
    if not chosen:
        return NotChosen("no model reference beside it (its function, or its file) is "
                         "swapped: the template follows the model, so change it when you "
                         "change the model")
    return _move_to(chosen, registry, table)


def _move_to(chosen: Sequence[tuple[Finding, Chosen]], registry: Registry,
             table: TemplateTable) -> Choice:
    families = {_family(f, c) for f, c in chosen}
    if None in families:
        unknown = next(c.text for f, c in chosen if _family(f, c) is None)
        return NotChosen(f"the family of the replacement {unknown} is not known, so its "
                         "template cannot be chosen: select it by hand")
    if len(families) > 1:
        return NotChosen(f"the models swapped in this file move to several families "
                         f"({', '.join(sorted(str(f) for f in families))}): select the "
                         "template by hand")
    family = str(next(iter(families)))
    candidates = table.families.get(family, ())
    for name in candidates:
        if name in registry.names:
            return Chosen(text=name, hub_id=None,
                          origin=f"{TEMPLATE_ORIGIN} for {family} at {registry.names[name]}")
    looked = f" (looked for {', '.join(candidates)})" if candidates else ""
    return NotChosen(f"no {family} template is registered in this project or a library it "
                     f"uses{looked}: register one, then select it here")


def _family(finding: Finding, choice: Chosen) -> str | None:
    return next((s.family for s in finding.suggestions if s.hub_id == choice.hub_id), None)


def _registered(text: str) -> Iterable[tuple[str, int]]:
    """(name, line) of ``register_template(name=...)`` / ``register_template("x")`` and
    ``register_conv_template(Conversation(name=...))``."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and _TEMPLATE_ENUM.search(node.name):
            yield from _members(node)
            continue
        if not isinstance(node, ast.Call) or _callee(node) not in _REGISTERING:
            continue
        for call in (node, *(a for a in node.args if isinstance(a, ast.Call))):
            values = [k.value for k in call.keywords if k.arg == "name"] + call.args[:1]
            for value in values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    yield value.value, value.lineno
                    break


def _members(enum: ast.ClassDef) -> Iterable[tuple[str, int]]:
    """(value, line) of each ``name = "value"`` in the class body."""
    for statement in enum.body:
        if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant) \
                and isinstance(statement.value.value, str):
            yield statement.value.value, statement.value.lineno


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else (
        func.id if isinstance(func, ast.Name) else "")


def _python_files(base: Path) -> Iterable[tuple[str, str]]:
    if base.is_file():
        return
    for directory, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            path = Path(directory) / name
            try:
                if path.is_symlink() or path.stat().st_size > _MAX_BYTES:
                    continue
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            yield path.relative_to(base).as_posix(), text


@lru_cache(maxsize=8)
def _table_for(ruleset: RuleSet) -> TemplateTable:
    families: dict[str, tuple[str, ...]] = {}
    for row in ruleset.section_list("template_family"):
        family, names = row.get("family"), row.get("names")
        if not isinstance(family, str) or not isinstance(names, list) or \
                not all(isinstance(n, str) for n in names):
            raise RuleError("[[template_family]] needs a family and a list of names")
        families[family] = tuple(names)
    libraries = []
    for row in ruleset.section_list("template_library"):
        library, uses, names, source = (row.get(k) for k in ("library", "uses", "names",
                                                             "source"))
        if not isinstance(library, str) or not isinstance(source, str) or \
                not isinstance(uses, list) or not isinstance(names, list):
            raise RuleError("[[template_library]] needs library, uses, names and source")
        libraries.append((library, tuple(str(u) for u in uses),
                          frozenset(str(n) for n in names), source))
    return TemplateTable(families, tuple(libraries))
