"""The enrich stage: attach license facts and checked replacement suggestions to findings.

Offline (the default) it reads only the snapshot: bundled, or ``--catalog FILE``; it never
imports or constructs the Hub client. With ``--online`` it asks the live Hub through
``LiveHub``; every Hub problem becomes a diagnostic and the snapshot fills the gap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from auditor.details import DetailKey, Details
from auditor.enrich.candidates import ReplacementPolicy
from auditor.enrich.entries import Catalog, CatalogError
from auditor.enrich.facts import FactsResolver
from auditor.enrich.hub_records import HubProblem, HubService
from auditor.enrich.licenses import LicenseTable
from auditor.enrich.lineage import Lineage, looks_like_repo_id, trace_offline, trace_online
from auditor.enrich.plan import Planner
from auditor.enrich.snapshot import load_bundled, load_snapshot
from auditor.enrich.tasks import TaskTable
from auditor.ruleset.load import RuleSet, load_ruleset
from auditor.types import Diagnostic, Finding

DEFAULT_LICENSE_ALLOW = ("apache-2.0", "mit")
_KEPT_ROLES = frozenset({"label", "dataset", "path", "documentation"})


@dataclass(frozen=True)
class EnrichOptions:
    online: bool = False
    """--online: the live Hub model API (``hub.LiveHub``: bounded, answers checked)."""
    prefer: str | None = None
    """--prefer gemma|qwen|mistral."""
    catalog_file: Path | None = None
    """--catalog FILE: a snapshot written by ``catalog refresh``."""
    refresh: bool = False
    """--refresh: bypass the on-disk cache."""
    license_allow: tuple[str, ...] = DEFAULT_LICENSE_ALLOW
    cache_dir: Path | None = None
    """Default: the platform cache dir (see ``cache.default_cache_dir``)."""
    rules_dirs: tuple[Path, ...] = ()
    """--rules: the extra rule directories the scan used (their providers' namings)."""


@dataclass(frozen=True)
class EnrichResult:
    findings: tuple[Finding, ...]
    """The same findings, in the same order, with ``suggestions`` and license details."""
    diagnostics: tuple[Diagnostic, ...]
    """Hub problems (gated, 404, 429, timeout, malformed...): reported, never raised."""
    catalog_date: str
    catalog_source: str


@dataclass(frozen=True)
class Session:
    """Everything one enrich or ``suggest`` run uses, built once."""

    catalog: Catalog
    resolver: FactsResolver
    planner: Planner
    ruleset: RuleSet
    hub: HubService | None
    diagnostics: tuple[Diagnostic, ...]

    @property
    def answered_live(self) -> bool:
        """With --online, whether the Hub answered anything (else it is all snapshot)."""
        return self.hub is not None and self.resolver.live_answers > 0

    @property
    def catalog_date(self) -> str:
        if self.hub is not None and self.answered_live:
            return self.hub.started_at
        return self.catalog.snapshot_date

    @property
    def catalog_source(self) -> str:
        if self.hub is None:
            return self.catalog.source
        if not self.answered_live:
            if not self.resolver.problems:
                return f"{self.catalog.source} (nothing asked of {self.hub.endpoint} yet)"
            return (f"{self.catalog.source} (live {self.hub.endpoint} did not answer: "
                    f"{self.resolver.problems[0].kind})")
        return (f"live {self.hub.endpoint} fetched {self.hub.started_at} "
                f"(fallback: {self.catalog.source})")

    def hub_diagnostics(self) -> tuple[Diagnostic, ...]:
        return self.diagnostics + problems_to_diagnostics(self.resolver.problems,
                                                          self.catalog.source)


def open_session(options: EnrichOptions, *, ruleset: RuleSet | None = None,
                 hub: HubService | None = None) -> Session:
    """Load the catalog and rules; set up the live Hub only when asked and allowed.

    Raises ``CatalogError`` (a ValueError) for an unusable ``--catalog`` file, a bad
    ``--prefer`` or bad cache/Hub settings: configuration errors, exit 2 in the CLI.
    """
    ruleset = ruleset if ruleset is not None else load_ruleset(options.rules_dirs)
    catalog = load_snapshot(options.catalog_file) if options.catalog_file else load_bundled()
    diagnostics: list[Diagnostic] = []
    service: HubService | None = None
    if options.online:
        # the Hub client (http.client, ssl, email) only for --online
        from auditor.enrich.hub import HubSettings, LiveHub, hub_offline_reason
        from auditor.enrich.hub_cache import HubCache, default_cache_dir, ttl_from_env

        reason = hub_offline_reason()
        if reason is not None:
            diagnostics.append(Diagnostic(
                path="hub", code="hub-offline",
                message=f"--online ignored: {reason}; checks use {catalog.source}"))
        elif hub is not None:
            service = hub
        else:
            try:
                settings = HubSettings.from_env()
                cache = HubCache(options.cache_dir or default_cache_dir(), ttl_from_env())
            except ValueError as exc:
                raise CatalogError(str(exc)) from exc
            service = LiveHub(settings, cache=cache, refresh=options.refresh)
    resolver = FactsResolver(catalog, service)
    try:
        planner = Planner(resolver, ReplacementPolicy.from_ruleset(ruleset),
                          LicenseTable.from_ruleset(ruleset), options.license_allow,
                          options.prefer, TaskTable.from_ruleset(ruleset))
    except ValueError as exc:
        raise CatalogError(str(exc)) from exc
    return Session(catalog, resolver, planner, ruleset, service, tuple(diagnostics))


def enrich(findings: Sequence[Finding], options: EnrichOptions, *,
           ruleset: RuleSet | None = None, hub: HubService | None = None) -> EnrichResult:
    """Fill ``suggestions`` and license ``details`` of every finding that names a Llama model.

    ``hub`` replaces the live service (tests inject one with tiny timeouts); it is used only
    with ``options.online``.
    """
    session = open_session(options, ruleset=ruleset, hub=hub)
    lineages: dict[str, Lineage | None] = {}
    enriched = []
    for finding in findings:
        model = finding.model
        if model is None or not model.meta_weights:
            enriched.append(finding)
            continue
        tasks = (session.planner.tasks.tasks_for(finding)
                 if session.planner.tasks is not None else ())
        plan = session.planner.plan(model, tasks)
        extra = list(plan.details())
        finding = with_tasks(finding, tasks)
        if model.derivative and finding.identifier and looks_like_repo_id(finding.identifier):
            key = finding.identifier.lower()
            if key not in lineages:
                lineages[key] = lineage_for(finding.identifier, session)
            lineage = lineages[key]
            if lineage is not None:
                extra.append(("lineage", lineage.describe()))
        # a label, dataset id, path or help text names Llama without using it: no replacement
        kept = finding.detail("role") in _KEPT_ROLES
        enriched.append(replace(finding, suggestions=() if kept else plan.suggestions,
                                details=_merge(finding.details, extra)))
    return EnrichResult(
        findings=tuple(enriched),
        diagnostics=session.hub_diagnostics(),
        catalog_date=session.catalog_date,
        catalog_source=session.catalog_source,
    )


def with_tasks(finding: Finding, tasks: tuple[str, ...]) -> Finding:
    """The finding with every task it is used for in its ``task`` detail (the scan's and
    those its Llama model implies)."""
    if not tasks:
        return finding
    details = tuple((k, v) for k, v in finding.details if k != "task")
    return replace(finding, details=(*details, ("task", "+".join(tasks))))


def lineage_for(repo_id: str, session: Session) -> Lineage | None:
    if session.hub is not None:
        return trace_online(repo_id, session.catalog, session.hub, session.ruleset)
    return trace_offline(repo_id, session.catalog, session.ruleset)


def problems_to_diagnostics(problems: Sequence[HubProblem],
                            snapshot: str) -> tuple[Diagnostic, ...]:
    """One diagnostic per repository and problem; skipped lookups are summarised once."""
    out: list[Diagnostic] = []
    seen: set[tuple[str, str]] = set()
    skipped: list[str] = []
    deadline = next((p.message.removeprefix("not asked: ") for p in problems
                     if p.kind == "skipped" and "deadline" in p.message), None)
    for problem in problems:
        if problem.kind == "skipped":
            if problem.repo_id not in skipped:
                skipped.append(problem.repo_id)
            continue
        key = (problem.repo_id.lower(), problem.kind)
        if key in seen:
            continue
        seen.add(key)
        out.append(Diagnostic(path=f"hub:{problem.repo_id}", code=f"hub-{problem.kind}",
                              message=f"{problem.repo_id}: {problem.message}; "
                              f"{_consequence(problem, snapshot)}"))
    if skipped:
        shown = ", ".join(skipped[:5]) + (f" and {len(skipped) - 5} more" if len(skipped) > 5
                                          else "")
        out.append(Diagnostic(path="hub", code="hub-skipped",
                              message=f"{len(skipped)} live lookups skipped after "
                              f"{deadline or 'an earlier Hub failure'} ({shown}); their checks "
                              f"use {snapshot}"))
    return tuple(out)


def _consequence(problem: HubProblem, snapshot: str) -> str:
    if problem.kind == "not-found":
        return "suggestions of it fail their 'exists' check and the next candidate is offered"
    if problem.kind == "gated":
        return f"recorded as gated; its other facts come from {snapshot}"
    return f"its checks use {snapshot}"


def _merge(existing: Details, extra: Sequence[tuple[DetailKey, str]]) -> Details:
    """Add pairs whose key the finding does not already carry (scanner facts win)."""
    keys = {key for key, _ in existing}
    return existing + tuple((k, v) for k, v in extra if k not in keys)
