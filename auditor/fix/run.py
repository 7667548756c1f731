"""The fix pipeline: findings -> replacement choices -> per-file rewrites -> one plan.

``build_plan`` is pure apart from reading the files it rewrites; ``apply_plan`` writes them.
Nothing here prints or exits: the CLI (``auditor/cli/fix.py``) does. The findings come from
``auditor.pipeline`` (after the policy), as ``scan`` sees them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from auditor.discover.filetypes import classify, file_type
from auditor.errors import AuditError
from auditor.fix.config_rewrite import rewrite_text
from auditor.fix.deps_rewrite import relock_commands, rewrite_manifest
from auditor.fix.files import FileRefused, encode, inside_root, read_for_rewrite, write_all
from auditor.fix.model import (
    Action,
    Choice,
    Chosen,
    FileChange,
    FixPlan,
    Outcome,
    ReplacementChooser,
    Skipped,
    display_path,
)
from auditor.fix.notebook_rewrite import rewrite_notebook
from auditor.fix.plan import (
    CatalogChooser,
    ChainChooser,
    OverrideChooser,
    policy_families,
    routing_prefixes,
)
from auditor.fix.python_codemod import rewrite_python
from auditor.fix.references import ExternalReferences
from auditor.fix.roles import by_role, keeps_route, keyed_elsewhere
from auditor.fix.templates import TemplateTable, project_registry, template_moves
from auditor.fix.verify import refuse_unsafe
from auditor.ruleset.load import RuleSet
from auditor.ruleset.rule_ids import META_ONLY_MODULE, MODEL_ID
from auditor.types import AuditResult, Effort, FileKind, Finding, Role

_GUARD_VARIANTS = ("guard", "guard-vision", "prompt-guard")


class FixError(AuditError, ValueError):
    """A configuration problem (bad ``--to``, unusable catalog file): exit 2 in the CLI."""


@dataclass(frozen=True)
class CatalogSettings:
    prefer: str | None = None
    catalog_file: Path | None = None
    online: bool = False


@dataclass
class _Memo:
    """Asks the chooser once per finding and remembers every answer."""

    chooser: ReplacementChooser
    answers: dict[Finding, Choice] = field(default_factory=dict)
    templates: dict[Finding, Choice] = field(default_factory=dict)
    """Template selections: the registered name they move to, or why they stay."""

    def __call__(self, finding: Finding) -> Choice:
        if finding in self.templates:
            return self.templates[finding]
        if finding not in self.answers:
            self.answers[finding] = keeps_route(finding, self.chooser.choose(finding))
        return self.answers[finding]


def needs_catalog(findings: Iterable[Finding], overrides: OverrideChooser) -> bool:
    """Does any model finding need a replacement no override gives?"""
    return any(f.model is not None and (f.effort in (Effort.SWAP, Effort.RETRAIN)
                                        or f.detail("decide") is not None)
               and not overrides.covers(f) for f in findings)


def make_chooser(
    findings: Sequence[Finding], overrides: OverrideChooser, settings: CatalogSettings,
    ruleset: RuleSet,
) -> tuple[tuple[Finding, ...], ChainChooser, list[str]]:
    """Enrich the findings with catalog suggestions when overrides do not cover them all.

    Returns the (possibly enriched) findings, the chooser and notes about the catalog.
    """
    if not needs_catalog(findings, overrides):
        return tuple(findings), ChainChooser(overrides, None), []
    try:
        from auditor.enrich import CatalogError, EnrichOptions, enrich
    except ImportError as exc:  # a build without the catalog: overrides still work
        return tuple(findings), ChainChooser(overrides, None), [
            f"the catalog is not available ({exc}); only --model overrides are applied"]
    try:
        result = enrich(findings, EnrichOptions(online=settings.online, prefer=settings.prefer,
                                                catalog_file=settings.catalog_file),
                        ruleset=ruleset)
    except CatalogError as exc:
        raise FixError(str(exc)) from exc
    chooser = CatalogChooser(routing_prefixes(ruleset), policy_families(ruleset),
                             settings.prefer)
    notes = [f"{d.path}: {d.message}" for d in result.diagnostics]
    notes.append(f"replacements from the catalog: {result.catalog_source}")
    return result.findings, ChainChooser(overrides, chooser), notes


def build_plan(
    result: AuditResult,
    findings: Sequence[Finding],
    roots: Mapping[str, Path],
    chooser: ReplacementChooser,
    ruleset: RuleSet,
) -> FixPlan:
    """Every change ``fix`` would make, per file, and what happens to each finding.

    ``findings``: ``result``'s findings, enriched when the catalog is used. ``roots``: each
    root label of the result to its directory (or file).
    """
    findings = decided_by_overrides(findings, chooser)
    memo = _Memo(chooser)
    for finding in findings:
        if finding.model is not None and finding.effort is Effort.SWAP:
            memo(finding)
    defined: dict[str, str] = {}
    for finding, choice in sorted(memo.answers.items(), key=lambda item: item[0].sort_key):
        if finding.rule_id == MODEL_ID and finding.identifier and isinstance(choice, Chosen):
            defined.setdefault(finding.identifier.casefold(), _location(finding))
    importers = {f.identifier: f"{f.path}:{f.line}" for f in findings
                 if f.rule_id == META_ONLY_MODULE and f.identifier}
    fallback_hub = _main_replacement(memo.answers.items())
    references = ExternalReferences(roots)
    grouped: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for finding in findings:
        grouped[(finding.root, finding.path)].append(finding)
    outcomes: list[Outcome] = []
    keys = {f.identifier: _location(f) for f in sorted(findings, key=lambda f: f.sort_key)
            if f.role is Role.REGISTRY_KEY and f.identifier}
    for key, group in grouped.items():
        grouped[key], not_swapped = by_role(group)  # only model references are swapped
        outcomes.extend(not_swapped)
        grouped[key], keyed = keyed_elsewhere(grouped[key], keys)
        outcomes.extend(keyed)
    if any(f.role is Role.TEMPLATE_SELECTION for g in grouped.values() for f in g):
        table = TemplateTable.from_ruleset(ruleset)
        memo.templates = template_moves(grouped, memo, project_registry(roots, table), table,
                                        roots)

    changes: list[FileChange] = []
    notes: list[str] = []
    skipped: list[Skipped] = []
    lockfiles: list[str] = []
    changed_manifests: list[str] = []
    manifest_texts: dict[str, str] = {}
    file_roots = frozenset(label for label, path in roots.items() if path.is_file())
    planned: set[Path] = set()
    for (root, rel), group in sorted((k, g) for k, g in grouped.items() if g):
        root_path = roots.get(root, Path(root))
        path = root_path / rel if root_path.is_dir() else root_path
        kind = classify(rel)
        display = display_path(root, rel, root in file_roots)
        if path.resolve() in planned:
            notes.append(f"{display}: under two of the given paths; fixed once")
            continue
        planned.add(path.resolve())
        if kind is FileKind.LOCKFILE:
            lockfiles.append(display)
            outcomes.extend(Outcome(f, Action.MANUAL, "lockfiles are not edited: re-lock after "
                                    "the manifests change") for f in group)
            continue
        if not inside_root(path, root_path if root_path.is_dir() else root_path.parent):
            reason = "not a regular file inside the scanned root (a symlink?): not rewritten"
            skipped.append(Skipped(root, rel, reason))
            outcomes.extend(_untouched(f, reason) for f in group)
            continue
        if file_type(rel).format == "gguf":
            outcomes.extend(rewrite_text(rel, kind, "", group, memo, ruleset).outcomes)
            continue
        try:
            decoded = read_for_rewrite(path, kind)
        except FileRefused as exc:
            skipped.append(Skipped(root, rel, str(exc)))
            outcomes.extend(_untouched(f, str(exc)) for f in group)
            continue
        file_hub = _main_replacement((f, memo.answers[f]) for f in group if f in memo.answers)
        text, file_outcomes, file_notes, error = _rewrite_file(
            rel, display, kind, decoded.text, group, memo, ruleset, defined, importers,
            file_hub or fallback_hub, _finder(references, root, rel))
        outcomes.extend(file_outcomes)
        notes.extend(file_notes)
        if error is not None:
            skipped.append(Skipped(root, rel, error))
        if text != decoded.text:
            try:
                encode(text, decoded.encoding)
            except FileRefused as exc:
                skipped.append(Skipped(root, rel, str(exc)))
                outcomes[-len(file_outcomes):] = [_untouched(o.finding, str(exc))
                                                  for o in file_outcomes]
                continue
            change = FileChange(root, rel, decoded.text, text, decoded.encoding,
                                bom=decoded.bom, root_is_file=root in file_roots)
            changes.append(change)
            if kind is FileKind.MANIFEST:
                changed_manifests.append(change.display_path)
                manifest_texts[change.display_path] = decoded.text
    if changed_manifests:
        notes.extend(f"re-lock {line}" for line in relock_commands(
            lockfiles or _lockfiles_near(changes, roots), changed_manifests, manifest_texts))
    warnings = _choice_warnings(outcomes, memo.answers)
    notes.extend(_choice_steps(outcomes, memo.answers))
    outcomes.sort(key=lambda o: o.finding.sort_key)
    return refuse_unsafe(FixPlan(tuple(changes), tuple(outcomes), tuple(dict.fromkeys(notes)),
                                 tuple(dict.fromkeys(warnings)), tuple(skipped), file_roots))


def _rewrite_file(
    rel: str, display: str, kind: FileKind, text: str, group: list[Finding], choose: _Memo,
    ruleset: RuleSet, defined: Mapping[str, str], importers: Mapping[str, str],
    prompt_hub: str | None, used_elsewhere: Callable[[str], str | None] | None = None,
) -> tuple[str, list[Outcome], list[str], str | None]:
    outcomes: list[Outcome] = []
    notes: list[str] = []
    if kind is FileKind.NOTEBOOK:
        notebook = rewrite_notebook(text, group, choose, defined_elsewhere=defined,
                                    prompt_hub_id=prompt_hub)
        return notebook.text, list(notebook.outcomes), notes, notebook.error
    if file_type(rel).format == "python":
        code = [f for f in group if not f.rule_id.startswith("LA2")]
        for finding in group:
            if finding.rule_id.startswith("LA2"):
                outcomes.append(Outcome(finding, Action.MANUAL,
                                        f"edit {rel} by hand: {finding.message}"))
        rewrite = rewrite_python(text, code, choose, defined_elsewhere=defined,
                                 prompt_hub_id=prompt_hub, ruleset=ruleset,
                                 used_elsewhere=used_elsewhere)
        outcomes.extend(rewrite.outcomes)
        return rewrite.text, outcomes, notes, rewrite.error
    if kind is FileKind.MANIFEST:
        deps = [f for f in group if f.rule_id.startswith("LA2")]
        other = [f for f in group if not f.rule_id.startswith("LA2")]
        toml = file_type(rel).format == "toml"
        config = rewrite_text(rel, kind, text, other, choose, ruleset, comments=toml,
                              label=display)
        manifest = rewrite_manifest(rel, config.text, deps, importers, label=display,
                                    ruleset=ruleset)
        outcomes.extend(config.outcomes + manifest.outcomes)
        notes.extend(config.notes + manifest.notes)
        return manifest.text, outcomes, notes, config.error or manifest.error
    text_rewrite = rewrite_text(rel, kind, text, group, choose, ruleset, label=display)
    return (text_rewrite.text, list(text_rewrite.outcomes), list(text_rewrite.notes),
            text_rewrite.error)


def decided_by_overrides(findings: Sequence[Finding],
                         chooser: ReplacementChooser) -> list[Finding]:
    """A finding that waits for a person's decision (a fine-tune, a guard model: its
    ``decide`` detail) is a swap once ``--model OLD=NEW`` names it: the person decided."""
    overrides = getattr(chooser, "overrides", None)
    if not isinstance(overrides, OverrideChooser):
        return list(findings)
    return [replace(f, effort=Effort.SWAP,
                    details=tuple((k, v) for k, v in f.details if k != "decide"))
            if f.effort is Effort.ADAPT and f.detail("decide") and overrides.covers(f) else f
            for f in findings]


def _finder(references: ExternalReferences, root: str,
            rel: str) -> Callable[[str], str | None]:
    def find(name: str) -> str | None:
        return references.find(root, rel, name)
    return find


def _location(finding: Finding) -> str:
    if finding.cell is not None:
        return f"{finding.path}:cell {finding.cell}:{finding.cell_line}"
    return f"{finding.path}:{finding.line}"


def _main_replacement(answers: Iterable[tuple[Finding, Choice]]) -> str | None:
    """The replacement most findings of chat models got: named in prompt-format comments."""
    counts: Counter[str] = Counter()
    for finding, choice in answers:
        if isinstance(choice, Chosen) and choice.hub_id and finding.model is not None and \
                finding.model.variant not in _GUARD_VARIANTS:
            counts[choice.hub_id] += 1
    return counts.most_common(1)[0][0] if counts else None


def _untouched(finding: Finding, reason: str) -> Outcome:
    if finding.effort is Effort.KEEP:
        return Outcome(finding, Action.KEPT, "nothing to change")
    action = Action.LEFT if finding.effort is Effort.SWAP else Action.MANUAL
    return Outcome(finding, action, reason)


def _lockfiles_near(changes: Sequence[FileChange], roots: Mapping[str, Path]) -> list[str]:
    """Lockfiles next to a changed manifest, for the re-lock commands."""
    found: list[str] = []
    for change in changes:
        root_path = roots.get(change.root, Path(change.root))
        folder = (root_path / change.rel).parent if root_path.is_dir() else root_path.parent
        for name in ("poetry.lock", "uv.lock", "Pipfile.lock", "pdm.lock", "pylock.toml"):
            if (folder / name).is_file():
                rel_folder = str(Path(change.rel).parent)
                rel = name if rel_folder in (".", "") else f"{rel_folder}/{name}"
                found.append(replace(change, rel=rel).display_path)
    return list(dict.fromkeys(found))


def _choice_warnings(outcomes: Sequence[Outcome], answers: Mapping[Finding, Choice]) -> list[str]:
    out: list[str] = []
    for outcome in outcomes:
        choice = answers.get(outcome.finding)
        if outcome.action is Action.REWRITTEN and isinstance(choice, Chosen):
            out.extend(choice.warnings)
    return out


def _choice_steps(outcomes: Sequence[Outcome], answers: Mapping[Finding, Choice]) -> list[str]:
    out: list[str] = []
    for outcome in outcomes:
        choice = answers.get(outcome.finding)
        if outcome.action is Action.REWRITTEN and isinstance(choice, Chosen):
            out.extend(f"{outcome.finding.path}:{outcome.finding.line}: {step}"
                       for step in choice.steps)
    return out


def apply_plan(plan: FixPlan, roots: Mapping[str, Path]) -> list[Path]:
    """Write every change of the plan (all or nothing). Returns the files written."""
    contents: list[tuple[Path, bytes]] = []
    for change in plan.changes:
        root_path = roots.get(change.root, Path(change.root))
        path = root_path / change.rel if root_path.is_dir() else root_path
        contents.append((path, encode(change.new_text, change.encoding, change.bom)))
    write_all(contents)
    return [path for path, _ in contents]
