"""The plan of a Python rewrite: every change is decided on the original libcst tree, one
finding at a time, before ``python_codemod`` applies them in one transform."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping

import libcst as cst
from libcst.metadata import (
    CodeRange,
    MetadataWrapper,
    ParentNodeProvider,
    PositionProvider,
    ScopeProvider,
)

from auditor.fix import notes
from auditor.fix.auto_classes import auto_class_for
from auditor.fix.cst_names import root_name
from auditor.fix.model import Action, Choice, Chosen, NotChosen, Outcome
from auditor.fix.packages import advice_for_module
from auditor.fix.python_imports import (
    ImportBinding,
    ImportChange,
    module_imports,
    transformers_bindings,
    uses_of,
)
from auditor.fix.templates import TEMPLATE_ORIGIN
from auditor.ruleset.load import RuleSet
from auditor.ruleset.rule_ids import (
    LLAMA_CLASS,
    META_ONLY_MODULE,
    MODEL_LOADER,
    PROMPT_FORMAT,
    SPECIAL_TOKEN_ID,
)
from auditor.types import Effort, Finding, Role

Position = tuple[int, int]
"""(1-based line, 0-based column), as libcst's PositionProvider counts."""

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
"""Python's line breaks (libcst counts lines by these, not by ``str.splitlines``)."""
STATEMENT = (cst.SimpleStatementLine, cst.BaseCompoundStatement)
_TOKEN_ID_RULES = frozenset({SPECIAL_TOKEN_ID})
_PROMPT_RULES = frozenset({PROMPT_FORMAT})
_CLASS_RULES = frozenset({LLAMA_CLASS})
_MODULE_RULES = frozenset({META_ONLY_MODULE})


class Planner:
    """Decides every change on the original tree; ``python_codemod`` applies them."""

    def __init__(self, wrapper: MetadataWrapper, choose: Callable[[Finding], Choice],
                 defined_elsewhere: Mapping[str, str], prompt_hub_id: str | None,
                 text: str, ruleset: RuleSet | None = None,
                 used_elsewhere: Callable[[str], str | None] | None = None) -> None:
        self.wrapper = wrapper
        self.used_elsewhere = used_elsewhere or _nowhere
        self.ruleset = ruleset
        self.source_lines = _LINE_BREAK.split(text)
        self.choose = choose
        self.defined_elsewhere = defined_elsewhere
        self.prompt_hub_id = prompt_hub_id
        self.positions: Mapping[cst.CSTNode, CodeRange] = wrapper.resolve(PositionProvider)
        self.parents: Mapping[cst.CSTNode, cst.CSTNode] = wrapper.resolve(ParentNodeProvider)
        self.scopes = wrapper.resolve(ScopeProvider)
        self.by_start: dict[Position, list[cst.CSTNode]] = defaultdict(list)
        self.strings: list[cst.SimpleString] = []
        for node, where in self.positions.items():
            self.by_start[(where.start.line, where.start.column)].append(node)
            if isinstance(node, cst.SimpleString):
                self.strings.append(node)
        self.string_edits: dict[cst.SimpleString, list[tuple[int, int, str]]] = defaultdict(list)
        self.names: dict[cst.CSTNode, str] = {}
        """Name nodes -> new value; Attribute nodes -> new ``attr``."""
        self.comments: dict[cst.CSTNode, list[list[str]]] = defaultdict(list)
        self._commented: set[tuple[int, str]] = set()
        self.imports: dict[cst.ImportFrom, ImportChange] = defaultdict(ImportChange)
        self.outcomes: list[Outcome] = []
        self._bindings = transformers_bindings(self.positions)
        self._module_aliases = module_imports(self.positions)
        self._import_findings: list[tuple[Finding, ImportBinding]] = []
        self._token_groups: dict[cst.CSTNode, list[Finding]] = defaultdict(list)

    # -- dispatch ---------------------------------------------------------------------------
    def plan(self, finding: Finding) -> None:
        if finding.effort is Effort.KEEP:
            self.outcomes.append(Outcome(finding, Action.KEPT, "nothing to change"))
        elif finding.rule_id in _CLASS_RULES:
            self._plan_class(finding)
        elif finding.rule_id in _PROMPT_RULES:
            self._plan_prompt(finding)
        elif finding.rule_id in _TOKEN_ID_RULES:
            self._plan_token_id(finding)
        elif finding.rule_id in _MODULE_RULES:
            self._plan_module(finding)
        elif finding.role is Role.TEMPLATE_SELECTION:
            self._plan_template(finding)
        elif finding.effort is Effort.SWAP and finding.model is not None:
            self._plan_swap(finding)
        else:
            self.outcomes.append(Outcome(finding, Action.MANUAL, finding.message))

    # -- model identifiers ------------------------------------------------------------------
    def _plan_swap(self, finding: Finding) -> None:
        choice = self.choose(finding)
        if isinstance(choice, NotChosen):
            self._leave(finding, choice.reason)
            return
        assert finding.identifier is not None
        if finding.rule_id == MODEL_LOADER:
            targets = [s for s in self.strings if self._within(s, finding)]
        else:
            targets = [s for s in self.strings if self._contains(s, _start(finding))]
        done = 0
        for node in targets:
            done += self._edit_string(node, finding, choice.text)
        if done:
            detail = f"'{finding.identifier}' -> '{choice.text}' ({choice.origin})"
            self.outcomes.append(Outcome(finding, Action.REWRITTEN, detail))
        elif finding.rule_id == MODEL_LOADER and finding.identifier.casefold() in \
                self.defined_elsewhere:
            where = self.defined_elsewhere[finding.identifier.casefold()]
            self.outcomes.append(Outcome(finding, Action.REWRITTEN,
                                         f"rewritten where the model id is written ({where})"))
        else:
            self._leave(finding, "the model id is assembled from several parts here "
                        f"(rewrite it by hand to {choice.text})")

    def _plan_template(self, finding: Finding) -> None:
        """A template selection moves to the registered template of its file's new model
        (``auditor/fix/templates.py``), or stays with the reason."""
        choice = self.choose(finding)
        if isinstance(choice, Chosen) and choice.origin.startswith(TEMPLATE_ORIGIN):
            targets = [s for s in self.strings if self._contains(s, _start(finding))]
            if sum(self._edit_string(node, finding, choice.text) for node in targets):
                self.outcomes.append(Outcome(
                    finding, Action.REWRITTEN,
                    f"'{finding.identifier}' -> '{choice.text}' ({choice.origin})"))
                return
            choice = NotChosen("the template name is assembled from several parts here")
        self.outcomes.append(Outcome(finding, Action.MANUAL,
                                     notes.template_left(finding.message, choice)))

    def _edit_string(self, node: cst.SimpleString, finding: Finding, new: str) -> int:
        assert finding.identifier is not None
        try:
            value = node.evaluated_value
        except Exception:  # libcst raises for escapes it cannot evaluate: leave the literal
            return 0
        if not isinstance(value, str):
            return 0
        raw = node.value
        body_start = len(node.prefix) + len(node.quote)
        body_end = len(raw) - len(node.quote)
        escaped = _escape(new, node)
        if escaped is None:
            return 0
        if value == finding.identifier:
            self.string_edits[node].append((body_start, body_end, escaped))
            return 1
        at = self._raw_offset(node, finding)
        if at is None or raw[at:at + len(finding.identifier)] != finding.identifier:
            count = raw.count(finding.identifier, body_start, body_end)
            if count != 1:
                return 0
            at = raw.index(finding.identifier, body_start, body_end)
        self.string_edits[node].append((at, at + len(finding.identifier), escaped))
        return 1

    def _raw_offset(self, node: cst.SimpleString, finding: Finding) -> int | None:
        where = self.positions[node]
        delta = finding.line - where.start.line
        column = finding.column - 1
        if delta == 0:
            return column - where.start.column
        raw = node.value
        at = -1
        for _ in range(delta):
            at = raw.find("\n", at + 1)
            if at < 0:
                return None
        return at + 1 + column

    def _leave(self, finding: Finding, reason: str) -> None:
        node = self._node_at(finding)
        self.outcomes.append(Outcome(finding, Action.LEFT, reason))
        if node is not None:
            self._comment(node, finding.rule_id, notes.left_swap(finding.rule_id, reason))

    # -- Llama classes ------------------------------------------------------------------------
    def _plan_class(self, finding: Finding) -> None:
        identifier = finding.identifier or ""
        for node in self.by_start.get(_start(finding), []):
            parent = self.parents.get(node)
            if isinstance(node, cst.Name) and isinstance(parent, cst.ImportAlias) and \
                    parent.name is node:
                binding = next((b for b in self._bindings.values() if b.alias is parent), None)
                if binding is not None:
                    self._import_findings.append((finding, binding))
                    return
                break
            if isinstance(node, cst.Name) and node.value in self._bindings and \
                    not isinstance(parent, cst.ImportAlias):
                elsewhere = self.used_elsewhere(node.value)
                if elsewhere is not None:  # a test patches it there: rename both or neither
                    self._manual_class(finding, identifier, elsewhere)
                    return
                self._plan_class_use(finding, node, self._bindings[node.value].class_name)
                return
            if isinstance(node, cst.Attribute) and node.attr.value == identifier and \
                    self._module_aliases.get(root_name(node) or "") == "transformers" and \
                    isinstance(node.value, cst.Name):
                self._plan_class_use(finding, node, identifier)
                return
        self._manual_class(finding, identifier)

    def _plan_class_use(self, finding: Finding, node: cst.Name | cst.Attribute,
                        class_name: str) -> None:
        auto = auto_class_for(class_name, self.ruleset)
        parent = self.parents.get(node)
        if auto is not None and isinstance(parent, cst.Attribute) and parent.value is node \
                and parent.attr.value in auto.methods:
            self.names[node] = auto.name
            self.outcomes.append(Outcome(finding, Action.REWRITTEN,
                                         f"{class_name} -> {auto.name}"))
            return
        self._manual_class(finding, class_name)

    def _manual_class(self, finding: Finding, class_name: str,
                      elsewhere: str | None = None) -> None:
        auto = auto_class_for(class_name, self.ruleset)
        sentence = notes.llama_class(class_name, auto.name if auto else None,
                                     auto.methods if auto else ())
        if elsewhere is not None:
            sentence = (f"{class_name} is used through this module by {elsewhere} (a mock "
                        f"patch or an import): rename it there too; {sentence}")
        node = self._node_at(finding)
        if node is not None:
            self._comment(node, finding.rule_id, notes.comment_lines(finding.rule_id,
                                                                     sentence + "."))
        self.outcomes.append(Outcome(finding, Action.MANUAL, sentence))

    def finish(self) -> None:
        """Plan what needs every finding first: imports, and one comment per token-id line."""
        self._plan_imports()
        for statement, group in self._token_groups.items():
            ids = list(dict.fromkeys(f.identifier or "" for f in group))
            self._comment(statement, group[0].rule_id, notes.token_ids(group[0].rule_id, ids))
    def _plan_imports(self) -> None:
        """Rename, remove or extend ``from transformers import Llama...`` once uses are known."""
        imported = {b.local for b in self._bindings.values()} | self._plain_transformers_names()
        for finding, binding in self._import_findings:
            auto = auto_class_for(binding.class_name, self.ruleset)
            accesses = uses_of(self.scopes, binding)
            rewritten = [n for n in accesses if n in self.names]
            if auto is None or not rewritten:
                detail = ("kept: no use of it could be rewritten" if accesses
                          else "kept: not used in this file")
                self.outcomes.append(Outcome(finding, Action.MANUAL, detail))
                continue
            change = self.imports[binding.statement]
            unused = len(rewritten) == len(accesses)
            if unused and auto.name in imported:
                change.remove.add(binding.alias)
                detail = f"import removed ({auto.name} is already imported)"
            elif unused:
                change.rename[binding.alias] = auto.name
                imported.add(auto.name)
                detail = f"import {binding.class_name} -> {auto.name}"
            else:
                if auto.name not in imported:
                    change.add_after[binding.alias] = auto.name
                    imported.add(auto.name)
                detail = f"{auto.name} imported; {binding.class_name} kept for uses left"
            self.outcomes.append(Outcome(finding, Action.REWRITTEN, detail))

    def _plain_transformers_names(self) -> set[str]:
        return {b.local for b in self._bindings.values() if b.local == b.class_name}
    # -- comments: prompt formats, token ids, Meta-only modules -------------------------------
    def _plan_prompt(self, finding: Finding) -> None:
        node = self._node_at(finding)
        text = notes.prompt_format(finding.rule_id, self.prompt_hub_id)
        if node is not None:
            scope = self._enclosing_scope(node)
            key = (id(scope), finding.rule_id)
            if key not in self._commented:
                self._commented.add(key)
                self._comment(node, finding.rule_id, text)
        self.outcomes.append(Outcome(
            finding, Action.MANUAL,
            "hand-written Llama chat format: build the prompt with "
            f"tokenizer.{notes.CHAT_TEMPLATE_CALL}"))

    def _plan_token_id(self, finding: Finding) -> None:
        node = self._node_at(finding)
        if node is not None:
            self._token_groups[self._statement(node)].append(finding)
        self.outcomes.append(Outcome(finding, Action.MANUAL,
                                     "Llama token id: read the ids from the new tokenizer"))

    def _plan_module(self, finding: Finding) -> None:
        """One comment per file and advice: at the first import or use of the module."""
        module = finding.identifier or ""
        advice = advice_for_module(module, self.ruleset)
        node = self._node_at(finding)
        key = (0, f"{finding.rule_id} {advice}")
        if node is not None and key not in self._commented:
            self._commented.add(key)
            top = module.split(".")[0]
            self._comment(node, finding.rule_id, notes.meta_module(finding.rule_id, top, advice))
        self.outcomes.append(Outcome(finding, Action.MANUAL, f"{module}: {advice}"))

    # -- helpers ------------------------------------------------------------------------------
    def _comment(self, node: cst.CSTNode, rule_id: str, lines: list[str]) -> None:
        statement = self._statement(node)
        key = (id(statement), lines[0])
        if key in self._commented or self._has_marker(statement, notes.marker(rule_id)):
            return
        self._commented.add(key)
        self.comments[statement].append(lines)

    def _has_marker(self, statement: cst.CSTNode, marker: str) -> bool:
        """Is ``marker`` in the comment lines right above the statement (a previous run's)?

        Read from the text: libcst keeps comments above a module's first statement in the
        module header, not in the statement's ``leading_lines``.
        """
        where = self.positions.get(statement)
        index = (where.start.line - 2) if where is not None else -1
        while index >= 0:
            above = self.source_lines[index].strip()
            if not above.startswith("#"):
                return False
            if marker in above:
                return True
            index -= 1
        return False

    def _statement(self, node: cst.CSTNode) -> cst.CSTNode:
        current = node
        while not isinstance(current, STATEMENT):
            parent = self.parents.get(current)
            if parent is None:
                return current
            current = parent
        return current

    def _enclosing_scope(self, node: cst.CSTNode) -> cst.CSTNode:
        current = node
        while True:
            parent = self.parents.get(current)
            if parent is None or isinstance(parent, (cst.FunctionDef, cst.ClassDef)):
                return parent if parent is not None else current
            current = parent

    def _node_at(self, finding: Finding) -> cst.CSTNode | None:
        nodes = self.by_start.get(_start(finding))
        if nodes:
            return nodes[0]
        best: cst.CSTNode | None = None
        for node in self.strings:
            if self._contains(node, _start(finding)):
                best = node
        return best

    def _within(self, node: cst.CSTNode, finding: Finding) -> bool:
        where = self.positions[node]
        return (_start(finding) <= (where.start.line, where.start.column)
                and (where.end.line, where.end.column) <= _end(finding))

    def _contains(self, node: cst.CSTNode, at: Position) -> bool:
        where = self.positions[node]
        return (where.start.line, where.start.column) <= at < (where.end.line, where.end.column)


def _escape(text: str, node: cst.SimpleString) -> str | None:
    """``text`` as it must be written inside this literal's quotes; None if it cannot be."""
    quote = node.quote[0]
    if "r" in node.prefix.lower():
        return None if quote in text or "\\" in text else text
    return text.replace("\\", "\\\\").replace(quote, "\\" + quote)


def _start(finding: Finding) -> Position:
    return (finding.line, finding.column - 1)


def _end(finding: Finding) -> Position:
    return (finding.end_line, finding.end_column - 1)


def _nowhere(name: str) -> str | None:
    return None
