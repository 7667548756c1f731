"""discover: walk the roots, honour ignores, classify each file by kind.

Yields ``SourceFile``s and ``Diagnostic``s (skipped files and why). Never reads file contents
except ``.gitignore`` files; never follows a symlink out of the root or around a loop.
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pathspec

from .model import Diagnostic, FileKind
from .scanners.base import SourceFile

DEFAULT_MAX_FILE_SIZE = 5 * 1024 * 1024

DEFAULT_EXCLUDED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", "node_modules", "__pycache__", "build", "dist", ".tox", ".nox",
        "site-packages", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".eggs",
        ".llama-audit-cache", ".ipynb_checkpoints",
    }
)

_LOCKFILES = frozenset({"poetry.lock", "uv.lock", "pipfile.lock", "pdm.lock", "pylock.toml"})
_ARTEFACTS = frozenset(
    {"adapter_config.json", "config.json", "tokenizer_config.json", "generation_config.json",
     "params.json"}
)
_CONFIG_SUFFIXES = frozenset(
    {".yaml", ".yml", ".json", ".toml", ".ini", ".cfg", ".conf", ".properties", ".env", ".jsonc"}
)
_TEXT_SUFFIXES = frozenset({".md", ".markdown", ".rst", ".txt", ".adoc"})
_INFRA_SUFFIXES = frozenset({".sh", ".bash", ".zsh", ".mk", ".tf", ".tfvars", ".hcl",
                             ".dockerfile"})
_LICENSE_STEMS = ("license", "licence", "notice", "use_policy", "copying", "acceptable_use")
_ORCHESTRATION_DIRS = frozenset({"k8s", "kubernetes", "kube", "helm", "charts", "manifests",
                                 "kustomize"})
_CI_FILES = frozenset({".gitlab-ci.yml", "azure-pipelines.yml", "azure-pipelines.yaml",
                       "bitbucket-pipelines.yml", ".drone.yml", ".travis.yml", "cloudbuild.yaml",
                       "cloudbuild.yml", "action.yml", "action.yaml", "skaffold.yaml",
                       "kustomization.yaml", "kustomization.yml", "chart.yaml"})


def classify(rel: str) -> FileKind:
    """The kind of a file from its path alone (relative, POSIX separators)."""
    path = PurePosixPath(rel)
    name = path.name.lower()
    suffix = path.suffix.lower()
    parts = [p.lower() for p in path.parts[:-1]]
    if suffix in (".py", ".pyi", ".pyw"):
        return FileKind.MANIFEST if name == "setup.py" else FileKind.PYTHON
    if suffix == ".ipynb":
        return FileKind.NOTEBOOK
    if name in _LOCKFILES or fnmatch.fnmatch(name, "pylock.*.toml"):
        return FileKind.LOCKFILE
    if (
        name in ("pyproject.toml", "setup.cfg", "pipfile")
        or fnmatch.fnmatch(name, "requirements*.txt")
        or fnmatch.fnmatch(name, "requirements*.in")
        or (suffix in (".txt", ".in") and "requirements" in parts)
        or (suffix == ".in" and fnmatch.fnmatch(name, "*requirements*"))
        or name in ("environment.yml", "environment.yaml", "conda.yml", "conda.yaml")
    ):
        return FileKind.MANIFEST
    if name in _ARTEFACTS or suffix in (".gguf", ".ggml"):
        return FileKind.ARTEFACT
    if (
        name.startswith("dockerfile")
        or name.startswith("containerfile")
        or name.startswith("modelfile")
        or suffix in _INFRA_SUFFIXES
        or name in ("makefile", "gnumakefile", "justfile", "procfile", "jenkinsfile")
        or name in _CI_FILES
        or fnmatch.fnmatch(name, "docker-compose*.y*ml")
        or fnmatch.fnmatch(name, "compose*.y*ml")
        or (suffix in (".yml", ".yaml") and (
            parts[-2:] == [".github", "workflows"] or parts[-1:] == [".circleci"]
            or any(part in _ORCHESTRATION_DIRS for part in parts)))
    ):
        return FileKind.INFRA
    if name.startswith(_LICENSE_STEMS) or (
            suffix in ("", ".txt", ".md") and ("license" in name or "licence" in name)):
        return FileKind.TEXT
    if name == ".env" or name.startswith(".env.") or suffix in _CONFIG_SUFFIXES:
        return FileKind.CONFIG
    if suffix in _TEXT_SUFFIXES:
        return FileKind.TEXT
    return FileKind.OTHER


@dataclass(frozen=True)
class DiscoverOptions:
    excludes: tuple[str, ...] = ()
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    use_gitignore: bool = True
    default_excludes: bool = True


@dataclass
class _IgnoreLevel:
    base: str
    spec: pathspec.GitIgnoreSpec


@dataclass
class _Walker:
    root: Path
    options: DiscoverOptions
    excludes: pathspec.GitIgnoreSpec
    visited_dirs: set[tuple[int, int]] = field(default_factory=set)

    def run(self) -> Iterator[SourceFile | Diagnostic]:
        try:
            root_stat = self.root.stat()
        except OSError as exc:
            yield Diagnostic(path=".", code="unreadable",
                             message=f"cannot read root: {exc.strerror}")
            return
        if not stat.S_ISDIR(root_stat.st_mode):
            rel = self.root.name
            yield from self._file(self.root, rel, root_stat, single=True)
            return
        self.visited_dirs.add((root_stat.st_dev, root_stat.st_ino))
        yield from self._walk(self.root, "", [])

    def _walk(
        self, directory: Path, rel_dir: str, levels: list[_IgnoreLevel]
    ) -> Iterator[SourceFile | Diagnostic]:
        try:
            st = directory.stat()
            self.visited_dirs.add((st.st_dev, st.st_ino))
        except OSError:
            pass
        try:
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as exc:
            yield Diagnostic(path=rel_dir or ".", code="unreadable",
                             message=f"directory not readable: {exc.strerror or exc}")
            return
        levels = list(levels)
        if self.options.use_gitignore:
            gitignore = _load_gitignore(directory / ".gitignore")
            if isinstance(gitignore, Diagnostic):
                yield Diagnostic(path=_join(rel_dir, ".gitignore"), code=gitignore.code,
                                 message=gitignore.message)
            elif gitignore is not None:
                levels.append(_IgnoreLevel(rel_dir, gitignore))
        for entry in entries:
            rel = _join(rel_dir, entry.name)
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError as exc:
                yield Diagnostic(path=rel, code="unreadable", message=str(exc.strerror or exc))
                continue
            if is_link:
                yield from self._symlink(Path(entry.path), rel, levels)
                continue
            if is_dir:
                if self._dir_excluded(Path(entry.path), entry.name, rel, levels):
                    continue
                yield from self._walk(Path(entry.path), rel, levels)
                continue
            if self._ignored(rel, False, levels):
                continue
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError as exc:
                yield Diagnostic(path=rel, code="unreadable", message=str(exc.strerror or exc))
                continue
            if not stat.S_ISREG(st.st_mode):
                continue
            yield from self._file(Path(entry.path), rel, st)

    def _symlink(
        self, path: Path, rel: str, levels: list[_IgnoreLevel]
    ) -> Iterator[SourceFile | Diagnostic]:
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            reason = "symlink loop" if isinstance(exc, RuntimeError) or getattr(
                exc, "errno", None) == 40 else "broken symlink"
            yield Diagnostic(path=rel, code="symlink", message=f"not followed: {reason}")
            return
        root = self.root.resolve()
        if target != root and root not in target.parents:
            yield Diagnostic(path=rel, code="symlink",
                             message="not followed: the link leaves the scanned root")
            return
        try:
            st = target.stat()
        except OSError as exc:
            yield Diagnostic(path=rel, code="unreadable", message=str(exc.strerror or exc))
            return
        if stat.S_ISDIR(st.st_mode):
            here = path.parent.resolve()
            if target == here or target in here.parents:
                yield Diagnostic(path=rel, code="symlink",
                                 message="not followed: the link loops back to a parent directory")
                return
            if (st.st_dev, st.st_ino) in self.visited_dirs:
                yield Diagnostic(path=rel, code="symlink",
                                 message="not followed: points to a directory scanned already")
                return
            if self._dir_excluded(target, path.name, rel, levels):
                return
            self.visited_dirs.add((st.st_dev, st.st_ino))
            yield from self._walk(path, rel, levels)
        elif stat.S_ISREG(st.st_mode) and not self._ignored(rel, False, levels):
            yield from self._file(path, rel, st)

    def _dir_excluded(self, path: Path, name: str, rel: str, levels: list[_IgnoreLevel]) -> bool:
        if self.options.default_excludes:
            if name in DEFAULT_EXCLUDED_DIRS:
                return True
            if (path / "pyvenv.cfg").is_file():
                return True
        return self._ignored(rel, True, levels)

    def _ignored(self, rel: str, is_dir: bool, levels: list[_IgnoreLevel]) -> bool:
        probe = rel + "/" if is_dir else rel
        if self.excludes.match_file(probe):
            return True
        for level in levels:
            local = probe[len(level.base) + 1:] if level.base else probe
            if level.spec.match_file(local):
                return True
        return False

    def _file(
        self, path: Path, rel: str, st: os.stat_result, single: bool = False
    ) -> Iterator[SourceFile | Diagnostic]:
        kind = classify(rel)
        size = st.st_size
        header_only = kind is FileKind.ARTEFACT and rel.lower().endswith((".gguf", ".ggml"))
        if size > self.options.max_file_size and not header_only:
            yield Diagnostic(
                path=rel, code="too-large",
                message=(f"skipped: {size:,} bytes is over the {self.options.max_file_size:,}-byte "
                         "limit (--max-file-size)"),
            )
            return
        yield SourceFile(root=self.root, path=path, rel=rel, kind=kind, size=size)


def _join(base: str, name: str) -> str:
    return f"{base}/{name}" if base else name


def _load_gitignore(path: Path) -> pathspec.GitIgnoreSpec | Diagnostic | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        return Diagnostic(path=str(path), code="unreadable", message=str(exc.strerror or exc))
    text = raw.decode("utf-8", errors="replace")
    try:
        return pathspec.GitIgnoreSpec.from_lines(text.splitlines())
    except Exception as exc:  # pathspec raises several types for bad patterns
        return Diagnostic(path=str(path), code="bad-gitignore",
                          message=f".gitignore not applied: {exc}")


def discover(
    roots: Sequence[Path], options: DiscoverOptions = DiscoverOptions()
) -> Iterator[tuple[Path, SourceFile | Diagnostic]]:
    """Yield (root, file-or-diagnostic) for every root in order, files in sorted order."""
    try:
        excludes = pathspec.GitIgnoreSpec.from_lines(list(options.excludes))
    except Exception as exc:
        raise ValueError(f"invalid --exclude pattern: {exc}") from exc
    for root in roots:
        walker = _Walker(root=Path(os.path.abspath(root)), options=options, excludes=excludes)
        for item in walker.run():
            yield walker.root, item
