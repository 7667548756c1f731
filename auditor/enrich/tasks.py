"""What a Llama model is used for, and whether a replacement can do it (``rules/tasks.toml``).

The scan records the tasks a call shows (``task`` detail: ``suffix=`` is fim, ``tools=``
tools, ``images=`` vision, an ``embed`` call embeddings); the Llama model itself implies
others (Code Llama 7B/13B base: fim; Llama Guard and Prompt Guard: guard; Llama 3.2 Vision:
vision). ``TaskTable.check`` turns them into one ``task`` check per suggestion:

- fim and tools: a ``[[task_support]]`` row with its primary source says yes or no; no row
  is unknown (``[?]``);
- vision: the candidate's catalog input modalities include ``image``;
- guard: the candidate is a guard or classifier model (catalog variant); the check states the
  output-format change (``[[guard_output]]``), which is adapt work;
- embeddings: any model embeds, but its vectors differ: unknown, with what to redo.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from auditor.enrich.entries import CatalogEntry
from auditor.ruleset.load import RuleError, RuleSet
from auditor.types import Check, Finding, ModelRef

GUARD_VARIANTS = frozenset({"guard", "guard-vision", "prompt-guard"})


@dataclass(frozen=True, slots=True)
class Task:
    id: str
    label: str
    variants: frozenset[str] = frozenset()
    sizes: frozenset[str] = frozenset()
    note: str = ""

    def implied_by(self, ref: ModelRef) -> bool:
        return ref.variant in self.variants and (not self.sizes or ref.size in self.sizes)


@dataclass(frozen=True, slots=True)
class Support:
    supports: bool
    detail: str
    source: str


@dataclass(frozen=True, eq=False)
class TaskTable:
    tasks: tuple[Task, ...]
    support: Mapping[tuple[str, str], Support]
    """(hub id lower-case, task) -> the fact."""
    guard_outputs: tuple[tuple[str, str, str], ...]
    """(family, answer format, source), longest family first."""

    @classmethod
    def from_ruleset(cls, ruleset: RuleSet) -> TaskTable:
        return _table_for(ruleset)

    def label(self, task: str) -> str:
        return next((t.label for t in self.tasks if t.id == task), task)

    def tasks_for(self, finding: Finding) -> tuple[str, ...]:
        """The finding's tasks in the rules' order: the scan's ``task`` detail and those its
        Llama model implies."""
        shown = set((finding.detail("task") or "").split("+")) - {""}
        model = finding.model
        return tuple(t.id for t in self.tasks
                     if t.id in shown or (model is not None and t.implied_by(model)))

    def rank(self, hub_id: str, tasks: Sequence[str]) -> int:
        """0: a fact says the candidate does every task; 1: not known; 2: it cannot."""
        answers = [self.support.get((hub_id.lower(), t)) for t in tasks]
        if any(a is not None and not a.supports for a in answers):
            return 2
        return 0 if tasks and all(a is not None for a in answers) else 1

    def check(self, tasks: Sequence[str], hub_id: str, entry: CatalogEntry | None,
              original: str) -> Check:
        """One ``task`` check covering every task of the finding."""
        parts = [self._one(task, hub_id, entry, original) for task in tasks]
        passed: bool | None = True
        if any(p is False for p, _ in parts):
            passed = False
        elif any(p is None for p, _ in parts):
            passed = None
        return Check("task", passed, "; ".join(detail for _, detail in parts))

    def _one(self, task: str, hub_id: str, entry: CatalogEntry | None,
             original: str) -> tuple[bool | None, str]:
        label = self.label(task)
        if task == "guard":
            return self._guard(hub_id, entry, original)
        if task == "vision":
            inputs = entry.input_modalities if entry is not None else ()
            if not inputs:
                return None, f"{label}: input modalities of {hub_id} not known"
            if "image" in inputs:
                return True, f"{label}: {hub_id} reads images"
            return False, f"{label}: {hub_id} reads {'+'.join(inputs)} only, no images"
        fact = self.support.get((hub_id.lower(), task))
        if fact is not None:
            return fact.supports, f"{label}: {fact.detail} ({fact.source})"
        note = next((t.note for t in self.tasks if t.id == task), "")
        if note:
            return None, f"{label}: {note}"
        return None, (f"{label}: no primary source in the catalog says {hub_id} does it; "
                      "check before merging")

    def _guard(self, hub_id: str, entry: CatalogEntry | None,
               original: str) -> tuple[bool | None, str]:
        if entry is None:
            return None, f"guard: {hub_id} is not in the catalog"
        if entry.variant not in GUARD_VARIANTS:
            return False, f"guard: {hub_id} is not a safety classifier"
        before = self._answer(original)
        after = self._answer(entry.family)
        change = (f"output format changes (adapt the code that reads it): {original} answers "
                  f"{before}; {entry.family} answers {after}")
        return True, f"guard: {hub_id} is a safety classifier; {change}"

    def _answer(self, family: str) -> str:
        for name, answer, source in self.guard_outputs:
            if family.lower().startswith(name.lower()):
                return f"{answer} ({source})"
        return "in its own format (see its model card)"


@lru_cache(maxsize=8)
def _table_for(ruleset: RuleSet) -> TaskTable:
    tasks = []
    for row in ruleset.section_list("task"):
        where = f"[[task]] {row.get('id', '?')}"
        tasks.append(Task(id=_text(row, "id", where), label=_text(row, "label", where),
                          variants=frozenset(_strings(row, "variants", where)),
                          sizes=frozenset(_strings(row, "sizes", where)),
                          note=str(row.get("note", ""))))
    known = {t.id for t in tasks}
    support: dict[tuple[str, str], Support] = {}
    for row in ruleset.section_list("task_support"):
        where = f"[[task_support]] {row.get('model', '?')}"
        task = _text(row, "task", where)
        if task not in known:
            raise RuleError(f"{where}: task {task!r} is not a [[task]] id")
        if not isinstance(row.get("supports"), bool):
            raise RuleError(f"{where}: 'supports' must be true or false")
        support[(_text(row, "model", where).lower(), task)] = Support(
            row["supports"], _text(row, "detail", where), _text(row, "source", where))
    guards = [(_text(r, "family", "[[guard_output]]"), _text(r, "format", "[[guard_output]]"),
               _text(r, "source", "[[guard_output]]"))
              for r in ruleset.section_list("guard_output")]
    guards.sort(key=lambda g: -len(g[0]))
    return TaskTable(tuple(tasks), support, tuple(guards))


def support_sources(ruleset: RuleSet) -> tuple[str, ...]:
    """Every source a task fact or guard format cites (checked against the primary list)."""
    rows: list[Mapping[str, Any]] = [*ruleset.section_list("task_support"),
                                     *ruleset.section_list("guard_output")]
    return tuple(str(r["source"]) for r in rows if "source" in r)


def _text(row: Mapping[str, Any], key: str, where: str) -> str:
    value = row.get(key)
    if not isinstance(value, str) or not value:
        raise RuleError(f"{where}: {key!r} must be a non-empty string")
    return value


def _strings(row: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = row.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RuleError(f"{where}: {key!r} must be a list of strings")
    return tuple(value)
