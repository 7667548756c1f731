"""Score llama-audit against the hand-labelled accuracy set.

For every repository in ``repos.json`` this runs ``llama-audit scan --format json`` on the
checkout (restricted to the labelled scope), matches findings to the labelled lines and prints
recall and precision per repository, per category and per file kind, then every miss and every
false positive. See README.md in this directory for the counting rules and how to re-create the
checkouts.

    python benchmarks/accuracy/score.py --checkouts /work/accuracy
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parents[1]
REPOS_FILE = HERE / "repos.json"
LABELS_DIR = HERE / "labels"

# A line "mentions Llama" when it contains "llama" (not only inside "ollama") or a Llama
# special token, marker or token id. Every such line in scope carries a label.
MENTION = re.compile(
    r"(?i)(?<!o)llama|<\|begin_of_text\||<\|start_header_id\||<\|end_header_id\||<\|eot_id\|"
    r"|<\|eom_id\||<\|python_tag\||<</?SYS>>|\[/?INST\]|<\|header_start\||<\|eot\|"
    r"|\b(?:12800[189]|20000[178])\b"
)

KINDS = ("dependency", "docs-mention", "look-alike", "architecture-non-meta")
CATEGORIES = ("model-reference", "loader", "llama-api", "prompt-format", "fine-tune",
              "dependency", "license")
SEVERITY_RANK = {"info": 0, "low": 1, "medium": 2, "high": 3}


class ScoreError(Exception):
    """A problem that stops one repository (or the run) from being scored."""


@dataclass(frozen=True)
class Repo:
    name: str
    repo: str
    commit: str
    scope: str
    exclude: tuple[str, ...]
    kind: str

    def scan_root(self, checkouts: Path) -> Path:
        return (checkouts / self.name / self.scope).resolve()

    def to_repo_path(self, scan_path: str) -> str:
        """A finding's path (relative to the scan root) as a path from the repository root."""
        return scan_path if self.scope in ("", ".") else f"{self.scope.rstrip('/')}/{scan_path}"

    def from_repo_path(self, repo_path: str) -> str:
        if self.scope in ("", "."):
            return repo_path
        return repo_path[len(self.scope.rstrip("/")) + 1:]


@dataclass(frozen=True)
class Label:
    repo: str
    path: str
    line: int
    kind: str
    category: str | None
    rule_family: str | None
    identifier: str
    note: str
    source: str  # "read": labelled from the code before scoring; "review": a finding reviewed
    span: tuple[int, int] | None = None
    """First and last line of the multi-line string expression the line belongs to."""

    @property
    def key(self) -> tuple[str, int]:
        return (self.path, self.line)


@dataclass(frozen=True)
class Item:
    """What is counted: one labelled line, or one multi-line string expression (a
    triple-quoted literal or an implicit concatenation), whose lines share one label kind."""

    path: str
    line: int
    """The first labelled line (the item's name in reports)."""
    lines: frozenset[int]
    kind: str
    category: str | None
    identifier: str
    note: str
    read: bool
    """Labelled by reading the code (False: labelled after reviewing a finding)."""

    @classmethod
    def of(cls, labels: list[Label]) -> Item:
        first = min(labels, key=lambda label: label.line)
        span = first.span
        lines = frozenset(range(span[0], span[1] + 1)) if span else frozenset({first.line})
        return cls(path=first.path, line=first.line, lines=lines, kind=first.kind,
                   category=first.category, identifier=first.identifier, note=first.note,
                   read=any(label.source == "read" for label in labels))


def build_items(labels: list[Label]) -> list[Item]:
    groups: dict[tuple[str, int, int], list[Label]] = defaultdict(list)
    items: list[Item] = []
    for label in labels:
        if label.span is None:
            items.append(Item.of([label]))
        else:
            groups[(label.path, label.span[0], label.span[1])].append(label)
    for key, members in groups.items():
        if len({(m.kind, m.category) for m in members}) != 1:
            raise ScoreError(f"{key[0]}:{key[1]}-{key[2]}: one string, several label kinds")
        items.append(Item.of(members))
    return sorted(items, key=lambda item: (item.path, item.line))


@dataclass(frozen=True)
class LineFindings:
    """All findings llama-audit reported on one (path, line)."""

    path: str
    line: int
    rules: tuple[str, ...]
    severities: tuple[str, ...]
    identifiers: tuple[str, ...]

    @property
    def max_severity(self) -> str:
        return max(self.severities, key=SEVERITY_RANK.__getitem__)

    @property
    def info_only(self) -> bool:
        return self.max_severity == "info"

    def describe(self) -> str:
        pairs = sorted({f"{r} {s}" for r, s in zip(self.rules, self.severities, strict=True)})
        idents = sorted({i for i in self.identifiers if i})
        text = ", ".join(pairs)
        return f"{text} ({'; '.join(idents)})" if idents else text


@dataclass
class RepoScore:
    repo: Repo
    dependency_items: list[Item] = field(default_factory=list)
    found: list[Item] = field(default_factory=list)
    missed: list[Item] = field(default_factory=list)
    true_positives: list[tuple[LineFindings, Item]] = field(default_factory=list)
    false_positives: list[tuple[LineFindings, Item | None]] = field(default_factory=list)
    docs_items: list[tuple[LineFindings, Item]] = field(default_factory=list)
    architecture_items: list[tuple[LineFindings, Item]] = field(default_factory=list)
    info_items: list[LineFindings] = field(default_factory=list)
    reviewed: int = 0
    """True positives on lines labelled after reviewing the finding (no Llama mention)."""
    diagnostics: list[str] = field(default_factory=list)


# --- loading ------------------------------------------------------------------------------


def load_repos(path: Path = REPOS_FILE) -> list[Repo]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        Repo(name=r["name"], repo=r["repo"], commit=r["commit"], scope=r.get("scope", "."),
             exclude=tuple(r.get("exclude", ())), kind=r.get("kind", ""))
        for r in data["repositories"]
    ]


def load_labels(repo: Repo, labels_dir: Path = LABELS_DIR) -> list[Label]:
    path = labels_dir / f"{repo.name}.jsonl"
    if not path.is_file():
        raise ScoreError(f"no label file {path}")
    labels: list[Label] = []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not text.strip():
            continue
        try:
            row = json.loads(text)
            label = Label(repo=row["repo"], path=row["path"], line=int(row["line"]),
                          kind=row["kind"], category=row.get("category"),
                          rule_family=row.get("rule_family"), identifier=row.get("identifier", ""),
                          note=row.get("note", ""), source=row.get("source", "read"),
                          span=tuple(row["span"]) if row.get("span") else None)
        except (ValueError, KeyError, TypeError) as exc:
            raise ScoreError(f"{path}:{number}: malformed label row ({exc})") from exc
        if label.kind not in KINDS:
            raise ScoreError(f"{path}:{number}: unknown kind {label.kind!r}")
        if label.kind == "dependency" and label.category not in CATEGORIES:
            raise ScoreError(f"{path}:{number}: dependency label needs a category")
        labels.append(label)
    keys = [label.key for label in labels]
    if len(keys) != len(set(keys)):
        raise ScoreError(f"{path}: a (path, line) is labelled twice")
    return labels


# --- files in scope -----------------------------------------------------------------------


def iter_scope_files(repo: Repo, checkouts: Path) -> Iterator[str]:
    """Every regular file of the scope (minus the excludes), as a path from the repo root."""
    import pathspec  # a dependency of llama-audit itself

    root = repo.scan_root(checkouts)
    spec = pathspec.GitIgnoreSpec.from_lines(repo.exclude)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != ".git")
        for name in sorted(filenames):
            full = Path(dirpath) / name
            rel = full.relative_to(root).as_posix()
            if full.is_symlink() or spec.match_file(rel):
                continue
            yield repo.to_repo_path(rel)


def mention_lines(path: Path) -> list[int]:
    try:
        raw = path.read_bytes()
    except OSError:
        return []
    if b"\0" in raw[:8192]:
        return []  # binary
    text = raw.decode("utf-8", errors="replace")
    return [n for n, line in enumerate(text.splitlines(), 1) if MENTION.search(line)]


def check_labels(repo: Repo, labels: list[Label], checkouts: Path) -> list[str]:
    """Lines that mention Llama without a label, and 'read' labels on lines that do not."""
    problems: list[str] = []
    labelled = {label.key: label for label in labels}
    base = checkouts / repo.name
    mentioned: set[tuple[str, int]] = set()
    for rel in iter_scope_files(repo, checkouts):
        for number in mention_lines(base / rel):
            mentioned.add((rel, number))
            if (rel, number) not in labelled:
                problems.append(f"unlabelled mention {rel}:{number}")
    for label in labels:
        if label.source == "read" and label.key not in mentioned:
            problems.append(f"label on a line without a mention {label.path}:{label.line}")
    return problems


# --- scanning -----------------------------------------------------------------------------


def audit_command(explicit: str | None) -> list[str]:
    if explicit:
        return explicit.split()
    found = shutil.which("llama-audit")
    if found:
        return [found]
    return [sys.executable, "-m", "auditor"]


def run_scan(repo: Repo, checkouts: Path, command: Sequence[str]) -> dict[str, Any]:
    root = repo.scan_root(checkouts)
    args = [*command, "scan", str(root), "--format", "json", "--no-cache", "--exit-zero", "-q",
            "--no-config"]
    for pattern in repo.exclude:
        args += ["--exclude", pattern]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT), env.get("PYTHONPATH")]))
    proc = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise ScoreError(f"llama-audit exited {proc.returncode}: {' | '.join(tail)}")
    try:
        data: dict[str, Any] = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise ScoreError(f"llama-audit printed no JSON report ({exc})") from exc
    return data


def load_saved_scan(directory: Path, repo: Repo) -> dict[str, Any]:
    path = directory / f"{repo.name}.json"
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ScoreError(f"cannot read saved report {path} ({exc})") from exc
    return data


def finding_lines(repo: Repo, report: dict[str, Any]) -> dict[tuple[str, int], LineFindings]:
    """Group the report's findings by (repo path, line); a notebook's line is its JSON line."""
    grouped: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for finding in report.get("findings", []):
        key = (repo.to_repo_path(finding["path"]), int(finding["line"]))
        grouped[key].append(finding)
    return {
        key: LineFindings(
            path=key[0], line=key[1],
            rules=tuple(f["rule_id"] for f in items),
            severities=tuple(f["severity"] for f in items),
            identifiers=tuple(str(f.get("identifier") or "") for f in items),
        )
        for key, items in grouped.items()
    }


# --- scoring ------------------------------------------------------------------------------


def score_repo(repo: Repo, labels: list[Label], lines: dict[tuple[str, int], LineFindings],
               diagnostics: Iterable[str] = ()) -> RepoScore:
    """Match findings to labelled items; a line or string with several findings counts once."""
    score = RepoScore(repo=repo, diagnostics=list(diagnostics))
    items = build_items(labels)
    item_at = {(item.path, line): item for item in items for line in item.lines}
    merged: dict[Item | tuple[str, int], LineFindings] = {}
    for key in sorted(lines):
        target: Item | tuple[str, int] = item_at.get(key, key)
        merged[target] = _merge(merged.get(target), lines[key])
    for item in items:
        if item.kind == "dependency" and item.read:
            score.dependency_items.append(item)
            (score.found if item in merged else score.missed).append(item)
    for target, found in merged.items():
        labelled = target if isinstance(target, Item) else None
        if found.info_only:
            score.info_items.append(found)
        elif labelled is None or labelled.kind == "look-alike":
            score.false_positives.append((found, labelled))
        elif labelled.kind == "dependency":
            score.true_positives.append((found, labelled))
            score.reviewed += int(not labelled.read)
        elif labelled.kind == "docs-mention":
            score.docs_items.append((found, labelled))
        elif SEVERITY_RANK[found.max_severity] <= SEVERITY_RANK["low"]:
            score.architecture_items.append((found, labelled))  # low: architecture notes
        else:
            score.false_positives.append((found, labelled))
    score.false_positives.sort(key=lambda pair: (pair[0].path, pair[0].line))
    return score


def _merge(first: LineFindings | None, second: LineFindings) -> LineFindings:
    if first is None:
        return second
    return LineFindings(path=first.path, line=min(first.line, second.line),
                        rules=first.rules + second.rules,
                        severities=first.severities + second.severities,
                        identifiers=first.identifiers + second.identifiers)


def ratio(part: int, whole: int) -> float | None:
    return None if whole == 0 else part / whole


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


@dataclass
class Tally:
    dependencies: int = 0
    found: int = 0
    tp: int = 0
    fp: int = 0
    docs: int = 0
    info: int = 0
    architecture: int = 0

    def add(self, other: Tally) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def recall(self) -> float | None:
        return ratio(self.found, self.dependencies)

    @property
    def precision(self) -> float | None:
        return ratio(self.tp, self.tp + self.fp)


def tally(score: RepoScore) -> Tally:
    return Tally(dependencies=len(score.dependency_items), found=len(score.found),
                 tp=len(score.true_positives), fp=len(score.false_positives),
                 docs=len(score.docs_items), info=len(score.info_items),
                 architecture=len(score.architecture_items))


def file_kind(repo: Repo, repo_path: str) -> str:
    """The file kind llama-audit's discovery gives the path (python, notebook, config...)."""
    if str(PROJECT) not in sys.path:
        sys.path.insert(0, str(PROJECT))
    from auditor.discover.walk import classify

    return classify(repo.from_repo_path(repo_path)).value


def breakdowns(scores: list[RepoScore]) -> tuple[dict[str, Tally], dict[str, Tally]]:
    """Recall by label category; recall and precision by file kind."""
    by_category: dict[str, Tally] = defaultdict(Tally)
    by_kind: dict[str, Tally] = defaultdict(Tally)
    for score in scores:
        repo = score.repo
        for item in score.dependency_items:
            hit = item in score.found
            kind = file_kind(repo, item.path)
            for bucket in (by_category[item.category or "?"], by_kind[kind]):
                bucket.dependencies += 1
                bucket.found += int(hit)
        for found, _ in score.true_positives:
            by_kind[file_kind(repo, found.path)].tp += 1
        for found, _ in score.false_positives:
            by_kind[file_kind(repo, found.path)].fp += 1
    return dict(by_category), dict(by_kind)


# --- output -------------------------------------------------------------------------------


def render_text(scores: list[RepoScore]) -> str:
    out: list[str] = []
    header = (f"{'repository':34} {'dep items':>9} {'found':>6} {'recall':>7} "
              f"{'TP':>5} {'FP':>4} {'precision':>9} {'docs':>5} {'arch':>5} {'info':>5}")
    out += [header, "-" * len(header)]
    total = Tally()
    for score in scores:
        t = tally(score)
        total.add(t)
        out.append(f"{score.repo.name:34} {t.dependencies:>9} {t.found:>6} {pct(t.recall):>7} "
                   f"{t.tp:>5} {t.fp:>4} {pct(t.precision):>9} {t.docs:>5} {t.architecture:>5} "
                   f"{t.info:>5}")
    out.append("-" * len(header))
    out.append(f"{'overall':34} {total.dependencies:>9} {total.found:>6} {pct(total.recall):>7} "
               f"{total.tp:>5} {total.fp:>4} {pct(total.precision):>9} {total.docs:>5} "
               f"{total.architecture:>5} {total.info:>5}")
    reviewed = sum(score.reviewed for score in scores)
    if reviewed:
        out.append(f"({reviewed} TP on lines without a Llama mention, labelled after review)")
    by_category, by_kind = breakdowns(scores)
    out += ["", "recall by category:"]
    for name in sorted(by_category):
        t = by_category[name]
        out.append(f"  {name:18} {t.found:>4}/{t.dependencies:<4} {pct(t.recall):>7}")
    out += ["", "by file kind:            recall          precision"]
    for name in sorted(by_kind):
        t = by_kind[name]
        out.append(f"  {name:10} {t.found:>4}/{t.dependencies:<4} {pct(t.recall):>7}   "
                   f"{t.tp:>4}/{t.tp + t.fp:<4} {pct(t.precision):>7}")
    misses = [(s.repo.name, label) for s in scores for label in s.missed]
    out += ["", f"misses ({len(misses)}):"]
    for name, label in misses:
        out.append(f"  MISS {name} {label.path}:{label.line} [{label.category}] "
                   f"{label.identifier} - {label.note}")
    fps = [(s.repo.name, found, label) for s in scores for found, label in s.false_positives]
    out += ["", f"false positives ({len(fps)}):"]
    for name, found, fp_label in fps:
        what = "unlabelled line" if fp_label is None else f"{fp_label.kind}: {fp_label.note}"
        out.append(f"  FP   {name} {found.path}:{found.line} {found.describe()} - {what}")
    notes = [(s.repo.name, d) for s in scores for d in s.diagnostics]
    if notes:
        out += ["", "scan diagnostics:"]
        out += [f"  {name}: {text}" for name, text in notes]
    return "\n".join(out)


def render_markdown(scores: list[RepoScore]) -> str:
    out = ["| repository | kind | dependency items | found | recall | TP | FP | precision |",
           "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    total = Tally()
    for score in scores:
        t = tally(score)
        total.add(t)
        out.append(f"| [{score.repo.repo}](https://github.com/{score.repo.repo}) | "
                   f"{score.repo.kind.split(':')[0]} | {t.dependencies} | {t.found} | "
                   f"{pct(t.recall)} | {t.tp} | {t.fp} | {pct(t.precision)} |")
    out.append(f"| **overall** | | {total.dependencies} | {total.found} | "
               f"**{pct(total.recall)}** | {total.tp} | {total.fp} | **{pct(total.precision)}** |")
    return "\n".join(out)


def summary(scores: list[RepoScore]) -> dict[str, Any]:
    """Numbers and the miss / false-positive lists, without any scanned text."""
    def tally_dict(t: Tally) -> dict[str, Any]:
        return {**vars(t), "recall": t.recall, "precision": t.precision}

    total = Tally()
    repos = {}
    for score in scores:
        t = tally(score)
        total.add(t)
        repos[score.repo.name] = {
            **tally_dict(t),
            "misses": [f"{label.path}:{label.line}" for label in score.missed],
            "false_positives": [f"{found.path}:{found.line} {found.describe()}"
                                for found, _ in score.false_positives],
        }
    by_category, by_kind = breakdowns(scores)
    return {
        "overall": {**tally_dict(total), "reviewed": sum(s.reviewed for s in scores)},
        "repositories": repos,
        "by_category": {k: tally_dict(v) for k, v in sorted(by_category.items())},
        "by_file_kind": {k: tally_dict(v) for k, v in sorted(by_kind.items())},
    }


# --- command line -------------------------------------------------------------------------


def clone_commands(repo: Repo, checkouts: Path) -> str:
    """A blob-less clone (history without file contents) and a checkout of the labelled commit."""
    target = checkouts / repo.name
    return (f"git clone --quiet --filter=blob:none --no-checkout https://github.com/{repo.repo} "
            f"{target} && git -C {target} checkout --quiet {repo.commit}")


def checkout_problem(repo: Repo, checkouts: Path) -> str | None:
    root = repo.scan_root(checkouts)
    if not root.is_dir():
        return f"missing checkout {root}; re-create it with: {clone_commands(repo, checkouts)}"
    git_dir = checkouts / repo.name / ".git"
    if git_dir.exists():
        head = subprocess.run(["git", "-C", str(checkouts / repo.name), "rev-parse", "HEAD"],
                              capture_output=True, text=True, check=False).stdout.strip()
        if head and head != repo.commit:
            return (f"checkout {checkouts / repo.name} is at {head[:12]}, the labels are for "
                    f"{repo.commit[:12]}: git -C {checkouts / repo.name} checkout {repo.commit}")
    return None


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkouts", type=Path, required=True,
                        help="directory with one checkout per repository, named as in repos.json")
    parser.add_argument("--clone-commands", action="store_true",
                        help="print the git commands that create the checkouts, then exit")
    parser.add_argument("--repo", action="append", default=[],
                        help="score only this repository (by name; repeatable)")
    parser.add_argument("--llama-audit", dest="command",
                        help="command that runs llama-audit (default: llama-audit on PATH, "
                             "else python -m auditor from this project)")
    parser.add_argument("--check-labels", action="store_true",
                        help="only check that every line mentioning Llama in scope is labelled")
    parser.add_argument("--markdown", action="store_true",
                        help="print the per-repository table as Markdown")
    parser.add_argument("--summary", type=Path,
                        help="write the numbers and miss / false-positive lists as JSON")
    parser.add_argument("--save-scans", type=Path,
                        help="keep each raw JSON report in this directory (outside the project)")
    parser.add_argument("--from-scans", type=Path,
                        help="score the raw JSON reports saved by --save-scans instead of scanning")
    parser.add_argument("--fail-under", type=float, metavar="PCT",
                        help="exit 1 when overall recall or precision is below PCT")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    repos = load_repos()
    if args.repo:
        unknown = sorted(set(args.repo) - {r.name for r in repos})
        if unknown:
            print(f"error: unknown repository {', '.join(unknown)}", file=sys.stderr)
            return 2
        repos = [r for r in repos if r.name in args.repo]
    if args.clone_commands:
        for repo in repos:
            print(clone_commands(repo, args.checkouts))
        return 0
    if not args.checkouts.is_dir():
        print(f"error: checkouts directory {args.checkouts} does not exist; see "
              f"{HERE / 'README.md'} to re-create the checkouts", file=sys.stderr)
        return 2
    command = audit_command(args.command)
    failed = False
    scores: list[RepoScore] = []
    for repo in repos:
        problem = checkout_problem(repo, args.checkouts)
        if problem:
            print(f"error: {repo.name}: {problem}", file=sys.stderr)
            failed = True
            continue
        try:
            labels = load_labels(repo)
            if args.check_labels:
                problems = check_labels(repo, labels, args.checkouts)
                for text in problems:
                    print(f"{repo.name}: {text}")
                failed = failed or bool(problems)
                continue
            report = (load_saved_scan(args.from_scans, repo) if args.from_scans
                      else run_scan(repo, args.checkouts, command))
        except ScoreError as exc:
            print(f"error: {repo.name}: {exc}", file=sys.stderr)
            failed = True
            continue
        if args.save_scans:
            args.save_scans.mkdir(parents=True, exist_ok=True)
            (args.save_scans / f"{repo.name}.json").write_text(json.dumps(report, indent=1))
        diagnostics = [f"{d.get('path', '')}: {d.get('message', '')}"
                       for d in report.get("diagnostics", [])]
        scores.append(score_repo(repo, labels, finding_lines(repo, report), diagnostics))
    if args.check_labels:
        if not failed:
            print(f"labels cover every line that mentions Llama in {len(repos)} repositories")
        return 2 if failed else 0
    if scores:
        print(render_markdown(scores) if args.markdown else render_text(scores))
    if args.summary and scores:
        args.summary.write_text(json.dumps(summary(scores), indent=2) + "\n", encoding="utf-8")
    if failed:
        return 2
    if args.fail_under is not None and scores:
        total = Tally()
        for score in scores:
            total.add(tally(score))
        if min(total.recall or 0.0, total.precision or 0.0) * 100 < args.fail_under:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
