"""The scan engine: discover -> read -> prefilter -> scanners -> findings, for many roots.

Pure apart from reading the scanned files: no printing, no exit codes. Per-file work is a
plain function of (file, options) so it can run in a process pool with identical results.
"""

from __future__ import annotations

import gc
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from auditor import __version__
from auditor.discover.found import Found, source_file
from auditor.discover.walk import DiscoverOptions, discover_found
from auditor.errors import ScanError
from auditor.isolate import DEFAULT_TIMEOUT as DEFAULT_PARSE_TIMEOUT
from auditor.ruleset.load import RuleSet, load_ruleset
from auditor.scan.cache import ResultCache
from auditor.scan.commented import commented_code_hits
from auditor.scan.context import ScanContext, ScanFunction, ScanOutput
from auditor.scan.crossmodule import cross_module_findings, definition_links
from auditor.scan.findings import MAX_FINDINGS_PER_FILE, capped_findings
from auditor.scan.firstparty import first_party_modules, is_first_party_import
from auditor.scan.index import StatIndex
from auditor.scan.inputs import recording
from auditor.scan.links_cache import LinksCache
from auditor.scan.prefilter import file_may_match
from auditor.scan.python.crossrefs import ModuleLinks
from auditor.scan.read import read_for_scan
from auditor.scan.registry import load_scanners, scanners_for
from auditor.scan.roots import dedupe, finding_root, root_labels, with_root
from auditor.scan.suppressions import file_suppression_comments
from auditor.types import (
    AuditResult,
    Diagnostic,
    FileComments,
    FileKind,
    Finding,
    Hit,
    ScanStats,
    SourceFile,
    SuppressionComment,
    ToolInfo,
)

POOL_THRESHOLD = 64
"""Below this many candidate files a process pool costs more than it saves."""


@dataclass(frozen=True)
class ScanOptions:
    discover: DiscoverOptions = field(default_factory=DiscoverOptions)
    include_docs: bool = True
    """Record documentation code blocks and commented-out code (info; ``fix``/``plan`` off)."""
    rules_dirs: tuple[Path, ...] = ()
    jobs: int = 1
    cache_dir: Path | None = None
    """Per-file result cache root; None: no cache (``--no-cache``)."""
    parse_timeout_seconds: float = DEFAULT_PARSE_TIMEOUT
    """Per-file limit on structural parsing (``--parse-timeout``); see ``isolate``."""


@dataclass(frozen=True)
class FileResult:
    findings: tuple[Finding, ...]
    diagnostics: tuple[Diagnostic, ...]
    scanned: bool
    parsed: bool
    inputs: tuple[str, ...] = ()
    """Absolute paths of other files the scanners looked at (see ``scan.inputs``)."""
    comments: tuple[SuppressionComment, ...] = ()  # from the text the scan decoded
    stat: tuple[int, int, int, int] | None = None
    """(size, mtime_ns, ctime_ns, inode) the file had when read, for the warm-scan index."""
    links: ModuleLinks | None = None
    """A Python file that may define constants other modules import: its links, for the
    cross-module join (``crossmodule.definition_links``)."""
    discarded: bool = False
    """Skipped before it was read (not a regular file, over ``--max-file-size``, gone): not
    one of the scan's files, as when discovery skipped it."""


ProgressCallback = Callable[[int, int], None]
"""Called with (files done, files total) as the scan advances."""


def scan_paths(
    roots: Sequence[Path],
    options: ScanOptions = ScanOptions(),
    *,
    progress: ProgressCallback | None = None,
) -> AuditResult:
    started = time.perf_counter()
    ruleset = load_ruleset(options.rules_dirs)
    files: list[tuple[Path, Found]] = []
    diagnostics: list[Diagnostic] = []
    labels = root_labels(roots)
    label_of = {Path(os.path.abspath(r)): label for r, label in zip(roots, labels,
                                                                     strict=True)}
    for root, item in discover_found(roots, options.discover):
        if isinstance(item, Diagnostic):
            diagnostics.append(with_root(item, label_of[root]))
        else:
            files.append((root, item))

    results = _run(files, options, ruleset, progress)
    joined, join_failed = cross_module_findings(files, options.discover.max_file_size,
                                                [r.findings for r in results],
                                                [r.links for r in results],
                                                _context(options, ruleset),
                                                _links_of(_cache_for(options, ruleset)))
    diagnostics.extend(with_root(d, label_of[root]) for root, d in join_failed.items())
    kinds: Counter[FileKind] = Counter()
    findings: list[Finding] = []
    scanned = parsed = discarded = 0
    first_party = {root: first_party_modules(root) for root in label_of}
    label, own, last = "", frozenset[str](), None
    for position, ((root, found), result) in enumerate(zip(files, results, strict=True)):
        if root is not last:  # the files of a root are together: one look-up per root
            label, own, last = label_of[root], first_party.get(root, frozenset()), root
        extra = joined.get(position, ())
        if result.findings or extra:
            findings.extend(finding_root(f, label) for f in (*result.findings, *extra)
                            if not is_first_party_import(f, own))
        if result.diagnostics:
            diagnostics.extend(with_root(d, label) for d in result.diagnostics)
        scanned += result.scanned
        parsed += result.parsed
        if result.discarded:
            discarded += 1
        else:
            kinds[found.type.kind] += 1
    findings = dedupe(findings)
    findings.sort(key=lambda f: f.sort_key)
    diagnostics.sort(key=lambda d: d.sort_key)
    skipped = sum(1 for d in diagnostics if d.code in _SKIP_CODES)
    return AuditResult(
        tool=ToolInfo(name="llama-audit", version=__version__, rules_version=ruleset.version),
        roots=tuple(labels),
        findings=tuple(findings),
        diagnostics=tuple(diagnostics),
        stats=ScanStats(
            files_discovered=len(files) - discarded + skipped,
            files_scanned=scanned,
            files_parsed=parsed,
            files_skipped=skipped,
            files_by_kind=tuple(sorted((kind.value, count) for kind, count in kinds.items())),
            duration_seconds=time.perf_counter() - started,
        ),
        comments=tuple(FileComments(label_of[root], found.rel, r.comments)
                       for (root, found), r in zip(files, results, strict=True) if r.comments),
    )


_ALWAYS_READ = frozenset({FileKind.MANIFEST, FileKind.LOCKFILE})
"""Small files whose findings may come from elsewhere (``-r`` includes, the manifest beside a
lockfile): never skipped by the byte prefilter, never served from the content-keyed cache
(the warm-scan index serves them only while the other files they read are unchanged)."""

_SKIP_CODES = frozenset({"too-large", "binary", "unreadable", "symlink", "decode-error-fatal"})

_TRANSIENT_CODES = frozenset({"parse-timeout", "parse-crash"})
"""Outcomes that depend on the machine or the moment, not the content: never cached."""


def _run(
    files: list[tuple[Path, Found]], options: ScanOptions, ruleset: RuleSet,
    progress: ProgressCallback | None,
) -> list[FileResult]:
    """Every file's result, in order: from the warm-scan index when the file is unchanged,
    else scanned (in a process pool when there are enough of them). A file is ``stat``ed
    here only when the index knows it; the others where they are scanned."""
    total = len(files)
    cache = _cache_for(options, ruleset)
    index = (StatIndex(cache.directory, sorted({root for root, _ in files}),
                       _options_tag(options), time.time_ns())
             if cache is not None else None)
    results: list[FileResult | None] = [None] * total
    todo: list[tuple[Path, Found]] = []
    positions: list[int] = []
    limit = options.discover.max_file_size
    for position, (root, found) in enumerate(files):
        if index is not None and index.knows(found.path):
            file = source_file(root, found, limit)
            if isinstance(file, Diagnostic):
                results[position] = _discarded(file)
                continue
            known = index.lookup(file)
            if known is not None:
                found_, problems, scanned, parsed, marked = known
                results[position] = FileResult(found_, problems, scanned=scanned,
                                               parsed=parsed, comments=marked)
                continue
            found = found._replace(size=file.size, stamp=file.stamp)
        todo.append((root, found))
        positions.append(position)
    done = total - len(todo)
    if progress is not None and done:
        progress(done, total)
    for position, result in zip(positions, _scan_all(todo, options, ruleset), strict=True):
        results[position] = result
        done += 1
        if progress is not None:
            progress(done, total)
        if index is not None and result.stat is not None and _indexable(result):
            root, found = files[position]
            size, *stamp = result.stat
            file = SourceFile(root=root, path=Path(found.path), rel=found.rel,
                              kind=found.type.kind, size=size,
                              stamp=(stamp[0], stamp[1], stamp[2]))
            index.record(file, (result.findings, result.diagnostics, result.scanned,
                                result.parsed, result.comments), result.inputs)
    if index is not None and cache is not None:
        index.save()
        cache.prune_stale_versions()
    return [result for result in results if result is not None]


def _discarded(problem: Diagnostic) -> FileResult:
    return FileResult((), (problem,), scanned=False, parsed=False, discarded=True)


_UNSETTLED_CODES = frozenset({"changed-during-scan", "unreadable"})


def _indexable(result: FileResult) -> bool:
    return not any(d.code in _TRANSIENT_CODES or d.code in _UNSETTLED_CODES
                   for d in result.diagnostics)


def _options_tag(options: ScanOptions) -> str:
    """The scan options a per-file result depends on (besides rules and tool version)."""
    return "docs" if options.include_docs else ""


def _scan_all(
    files: list[tuple[Path, Found]], options: ScanOptions, ruleset: RuleSet
) -> Iterable[FileResult]:
    total = len(files)
    if options.jobs > 1 and total >= POOL_THRESHOLD:
        # imported once here, inherited by the forked workers
        load_scanners({found.type.kind for _, found in files})
        from auditor.scan.pool import scan_in_pool  # only pool users import it

        # Objects made so far are never garbage: kept out of the collector's walks, which
        # write to every object they visit and so copy the pages a worker shares with us.
        gc.freeze()
        try:
            yield from scan_in_pool(files, options)
        finally:
            gc.unfreeze()
        return
    ctx = _context(options, ruleset)
    cache = _cache_for(options, ruleset)
    for root, found in files:
        yield _scan_found(root, found, options, ctx, cache)


_WORKER_CACHE: dict[tuple[Path | None, str], ResultCache | None] = {}


def _cache_for(options: ScanOptions, ruleset: RuleSet) -> ResultCache | None:
    if options.cache_dir is None:
        return None
    key = (options.cache_dir, ruleset.version)
    if key not in _WORKER_CACHE:
        _WORKER_CACHE[key] = ResultCache(options.cache_dir, ruleset.version)
    return _WORKER_CACHE[key]


def _links_of(cache: ResultCache | None) -> LinksCache | None:
    return cache.links if cache is not None else None


def _context(options: ScanOptions, ruleset: RuleSet) -> ScanContext:
    return ScanContext(ruleset=ruleset, include_docs=options.include_docs,
                       parse_timeout_seconds=options.parse_timeout_seconds)


def scan_batch(files: Sequence[tuple[Path, Found]], options: ScanOptions) -> list[FileResult]:
    """The results of a batch of files, in a pool worker."""
    ruleset = load_ruleset(options.rules_dirs)
    ctx = _context(options, ruleset)
    cache = _cache_for(options, ruleset)
    return [_scan_found(root, found, options, ctx, cache) for root, found in files]


def _scan_found(root: Path, found: Found, options: ScanOptions, ctx: ScanContext,
                cache: ResultCache | None) -> FileResult:
    """``scan_file`` of a discovered file, after its ``stat`` (which may skip it). The stat
    goes back with the result when the warm-scan index records it."""
    file = source_file(root, found, options.discover.max_file_size)
    if isinstance(file, Diagnostic):
        return _discarded(file)
    result = scan_file(file, ctx, cache)
    if options.cache_dir is None:
        return result
    return replace(result, stat=(file.size, *file.stamp))


def scan_file(file: SourceFile, ctx: ScanContext, cache: ResultCache | None = None) -> FileResult:
    """Read, prefilter, decode and scan one file. Never raises for a bad file."""
    scanners = scanners_for(file)
    if not scanners:
        return FileResult((), (), scanned=False, parsed=False)
    header_only = file.kind is FileKind.ARTEFACT and file.rel.lower().endswith((".gguf", ".ggml"))
    diagnostics: list[Diagnostic] = []
    text = ""
    if not header_only:
        try:
            outcome = read_for_scan(
                file, lambda data: file.kind in _ALWAYS_READ or file_may_match(data, ctx.ruleset))
        except Exception as exc:  # a reader bug must not lose the rest of the scan
            return FileResult((), (Diagnostic(file.rel, "scanner-error",
                                              f"reading failed: {type(exc).__name__}: {exc}"),),
                              scanned=False, parsed=False)
        diagnostics.extend(outcome.diagnostics)
        if outcome.text is None:
            return FileResult((), tuple(diagnostics), scanned=not outcome.skipped,
                              parsed=False)
        text = outcome.text
    comments = file_suppression_comments(file.rel, text)
    key = None
    if cache is not None and not header_only and file.kind not in _ALWAYS_READ:
        key = ResultCache.key(file.rel, file.kind.value, "docs" if ctx.include_docs else "",
                              text)
        cached = cache.get(key)
        if cached is not None:
            found, problems, was_parsed = cached
            return FileResult(found, tuple(diagnostics) + problems, scanned=True,
                              parsed=was_parsed, comments=comments,
                              links=definition_links(file, text, found, ctx, _links_of(cache)))
    with recording() as inputs:
        findings, scan_diagnostics, parsed = _run_scanners(file, text, ctx, scanners)
    if key is not None and cache is not None and not any(
            d.code in _TRANSIENT_CODES for d in scan_diagnostics):
        cache.put(key, findings, scan_diagnostics, parsed)
    return FileResult(findings, tuple(diagnostics) + scan_diagnostics, scanned=True,
                      parsed=parsed, inputs=tuple(dict.fromkeys(inputs)),
                      comments=comments,
                      links=definition_links(file, text, findings, ctx, _links_of(cache)))


def _run_scanners(
    file: SourceFile, text: str, ctx: ScanContext, scanners: list[ScanFunction]
) -> tuple[tuple[Finding, ...], tuple[Diagnostic, ...], bool]:
    """Every scanner for the file; a scanner that fails becomes a diagnostic, not a crash."""
    diagnostics: list[Diagnostic] = []
    lines = text.splitlines()
    hits: list[Hit] = []
    parsed = True
    for scanner in scanners:
        try:
            output = scanner(file, text, ctx)
        except RecursionError:
            output = ScanOutput(parsed=False)
            diagnostics.append(Diagnostic(file.rel, "too-deep",
                                          "skipped: nesting too deep to analyse"))
        except ScanError as exc:  # a parse failure the scanner let through: its diagnostic
            output = ScanOutput(parsed=False)
            diagnostics.append(Diagnostic(file.rel, exc.code, str(exc), line=exc.line))
        except Exception as exc:  # a scanner bug must not lose the rest of the scan
            diagnostics.append(Diagnostic(
                file.rel, "scanner-error",
                f"{scanner.__name__} failed: {type(exc).__name__}: {exc}"))
            continue
        parsed = parsed and output.parsed
        for problem_item in output.problems:
            diagnostics.append(Diagnostic(file.rel, problem_item.code, problem_item.message,
                                          line=problem_item.line))
        hits.extend(output.hits)
    if ctx.include_docs:  # commented-out code, in every kind with line comments
        hits.extend(commented_code_hits(file.rel, text, ctx.ruleset, hits))
    findings, dropped = capped_findings(hits, file.rel, lines, ctx)
    if dropped:
        diagnostics.append(Diagnostic(
            file.rel, "too-many-findings",
            f"{dropped:,} more findings in this file not reported (at most "
            f"{MAX_FINDINGS_PER_FILE:,} per file, the first by position)"))
    return findings, tuple(diagnostics), parsed
