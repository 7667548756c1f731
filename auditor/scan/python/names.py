"""Imports and the uses of the names they bind: which Llama classes and Meta-only modules a
module reaches, and where each use is written (the collector's name bookkeeping)."""

from __future__ import annotations

import ast
import re
from functools import lru_cache

from auditor.ruleset.python_tables import PythonTables
from auditor.ruleset.rule_ids import LLAMA_CLASS, META_ONLY_MODULE, RUNTIME_MODULE
from auditor.scan.python.positions import SourceIndex
from auditor.scan.python.records import ApiUse, Chain, Scope, Where

SPACE = r"(?:[ \t\f]|\\(?:\r\n|\r|\n))"
NAME = r"([^\W\d]\w*)"
_IDENTIFIER = re.compile(NAME)
_DOTTED = re.compile(rf"{NAME}(?:{SPACE}*\.{SPACE}*{NAME})*")
_FROM_MODULE = re.compile(rf"from{SPACE}*(?:\.{SPACE}*)*")


class NameUses:
    """Reads imports into ``imports`` and records every use of a name they bind to a Llama
    class or a Meta-only module as an ``ApiUse``."""

    index: SourceIndex
    tables: PythonTables
    imports: dict[str, str]
    api_uses: list[ApiUse]
    _rules: dict[str, str | None]

    # -- imports --------------------------------------------------------------------------
    def _import(self, node: ast.Import | ast.ImportFrom, scope: Scope, context: str,
                extra: None) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname is not None:
                    self.imports[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    self.imports[top] = top
                rule = self._module_rule(alias.name)
                if rule is not None:
                    self.api_uses.append(ApiUse(self._dotted_at(alias), rule, alias.name,
                                                context))
            return
        module = "." * node.level + (node.module or "")
        module_rule = self._module_rule(module)
        if module_rule is not None and node.module is not None:
            self.api_uses.append(ApiUse(self._from_module_at(node), module_rule, module,
                                        context))
        for alias in node.names:
            name = alias.name
            if name == "*":
                return
            qualified = qualified_name(module, name)
            self.imports[alias.asname or name] = qualified
            if module_rule is not None and alias.lineno != node.lineno and \
                    "llama" in name.lower():
                # from transformers.models.llama.modeling_llama import (\n LlamaAttention, ...):
                # each name on its own line is a line that uses the module.
                self.api_uses.append(ApiUse(self._dotted_at(alias), module_rule, qualified,
                                            context))
                continue
            if module_rule is None:
                sub_rule = self._module_rule(qualified)
                if sub_rule is not None:
                    self.api_uses.append(ApiUse(self._dotted_at(alias), sub_rule, qualified,
                                                context))
                    continue
            if name in self.tables.llama_classes and module_rule != LLAMA_CLASS:
                self.api_uses.append(ApiUse(self._dotted_at(alias), LLAMA_CLASS, name, context))

    def _dotted_at(self, alias: ast.alias) -> tuple[int, int]:
        """Where an imported name (``a.b.c``, without ``as x``) is written."""
        start = self.index.node_offsets(alias)[0]
        found = _DOTTED.match(self.index.text, start)
        return (start, found.end() if found else start)

    def _from_module_at(self, node: ast.ImportFrom) -> tuple[int, int]:
        """Where the module of ``from a.b import c`` is written."""
        start = self.index.node_offsets(node)[0]
        after = _FROM_MODULE.match(self.index.text, start)
        start = after.end() if after else start
        found = _DOTTED.match(self.index.text, start)
        return (start, found.end() if found else start)

    # -- names ----------------------------------------------------------------------------
    def _module_rule(self, module: str) -> str | None:
        return _module_rule(self.tables, module)

    def _name_rule(self, qualified: str) -> str | None:
        """The rule every use of a name imported as ``qualified`` fires, if any."""
        if qualified in self._rules:
            return self._rules[qualified]
        rule: str | None = None
        if qualified.rsplit(".", 1)[-1] in self.tables.llama_classes:
            rule = LLAMA_CLASS
        elif self._module_rule(qualified) == META_ONLY_MODULE:
            # Every use of a Meta-only client (LlamaAPIClient(...)) is a blocker, like LA103.
            rule = META_ONLY_MODULE
        elif self._module_rule(qualified) == RUNTIME_MODULE:
            # Every use of a Llama-named runtime (llama_cpp.Llama(model_path=path)) is
            # reported like its import: the call is where the model it loads is chosen.
            rule = RUNTIME_MODULE
        self._rules[qualified] = rule
        return rule

    def _name_use(self, name: str, where: Where, context: str, chain: Chain) -> None:
        qualified = self.imports.get(name)
        if qualified is None:
            return
        rule = self._name_rule(qualified)
        if rule == LLAMA_CLASS:
            self.api_uses.append(ApiUse(where, rule, qualified.rsplit(".", 1)[-1], context,
                                        chain))
        elif rule == META_ONLY_MODULE or (rule == RUNTIME_MODULE and "llama" in name.lower()):
            # A runtime's other names (create_app, a Gemma chat handler) say nothing of Llama.
            self.api_uses.append(ApiUse(where, rule, qualified, context, chain))

    def _name_at(self, name: str, start: int, context: str) -> None:
        """A name written at ``start`` that libcst visited as a Name node."""
        found = _IDENTIFIER.match(self.index.text, start)
        self._name_use(name, (start, found.end() if found else start), context, ())

    def _parameter_name(self, param: ast.arg, context: str) -> None:
        if param.arg in self.imports:
            self._name_at(param.arg, self.index.node_offsets(param)[0], context)

    def _written_name(self, name: str, start: int, pattern: re.Pattern[str],
                      context: str) -> None:
        found = pattern.match(self.index.text, start)
        if found is not None:
            self._name_at(name, found.start(1), context)


@lru_cache(maxsize=65536)
def _module_rule(tables: PythonTables, module: str) -> str | None:
    """``tables.module_rule``, remembered: the same modules are imported everywhere."""
    return tables.module_rule(module)


def qualified_name(module: str, name: str) -> str:
    return f"{module}.{name}" if module and not module.endswith(".") else module + name
