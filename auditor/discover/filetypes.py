"""What a file is, from its path alone: ONE table from a path to its kind, format and comments.

Every stage reads this table: discovery (the kind, so the registry picks the scanners), the
dependency and config scanners (the format picks the parser), suppressions (the comment
syntax) and ``fix`` (the format picks the rewrite and the parse check). Rows are data, tried in
order; the first that matches wins. Adding a file kind is one ``FileKind`` member, one row here,
one scanner module and one line in ``scan/registry.py``.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import lru_cache

from auditor.types import FileKind


@dataclass(frozen=True, slots=True)
class CommentStyle:
    """How comments look in one kind of file."""

    name: str
    prefixes: tuple[str, ...] = ()
    """Line comment starters; a starter must begin the line or follow whitespace."""
    block: tuple[str, str] | None = None
    """Block comment delimiters such as ``<!--`` / ``-->``."""


HASH = CommentStyle("#", ("#",))
HASH_SEMICOLON = CommentStyle("# or ;", ("#", ";"))
HASH_SLASH = CommentStyle("# or //", ("#", "//"))
PYTHON = CommentStyle("python #", ("#",))
HTML = CommentStyle("<!-- -->", block=("<!--", "-->"))
RST = CommentStyle("..", ("..",))
NOTEBOOK = CommentStyle("notebook code cell #", ("#",))
SLASH = CommentStyle("//", ("//",))
C_LIKE = CommentStyle("// or /* */", ("//",), block=("/*", "*/"))


@dataclass(frozen=True, slots=True)
class FileType:
    """What a file is: its kind (which scanners read it), its format (the language it is
    written in: python, yaml, toml, json, ini, dockerfile...), the parser for kinds with
    several parsers of one format, and its comment syntax (None: no inline suppressions)."""

    kind: FileKind
    format: str
    comments: CommentStyle | None
    parser: str = ""
    """Which reader of the kind parses it (manifests and lockfiles); "" for the only one."""


@dataclass(frozen=True, slots=True)
class Row:
    """Paths that are one ``FileType``. Each test given must hold: the name is one of
    ``names``, starts with one of ``prefixes`` or matches one of ``globs`` (any of the three);
    the suffix (as ``PurePosixPath.suffix``, "" for none) is one of ``suffixes``; the parent
    directory path ends with one of ``parents``; some directory above is one of ``ancestors``.
    Names and directories are compared in lower case."""

    type: FileType
    names: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    globs: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()
    ancestors: tuple[str, ...] = ()


class _Matcher:
    """A row compiled for speed: its name tests as one regular expression."""

    __slots__ = ("ancestors", "name", "parents", "row", "type")

    def __init__(self, row: Row) -> None:
        alternatives = [*(re.escape(n) + r"\Z" for n in row.names),
                        *(re.escape(p) for p in row.prefixes),
                        *(fnmatch.translate(g) for g in row.globs)]
        self.name = re.compile("|".join(alternatives), re.DOTALL) if alternatives else None
        self.parents = tuple(tuple(parent.split("/")) for parent in row.parents)
        self.ancestors = frozenset(row.ancestors)
        self.type = row.type
        self.row = row

    def matches(self, name: str, dirs: tuple[str, ...]) -> bool:
        if self.name is not None and self.name.match(name) is None:
            return False
        if self.parents and not any(dirs[-len(p):] == p for p in self.parents):
            return False
        return not self.ancestors or not self.ancestors.isdisjoint(dirs)


def _type(kind: FileKind, fmt: str, comments: CommentStyle | None, parser: str = "") -> FileType:
    return FileType(kind, fmt, comments, parser)


_M, _L, _C, _I, _A, _T = (FileKind.MANIFEST, FileKind.LOCKFILE, FileKind.CONFIG, FileKind.INFRA,
                          FileKind.ARTEFACT, FileKind.TEXT)
_YAML = (".yml", ".yaml")
_HASH_NAMES = ("dockerfile", "containerfile", "modelfile", "makefile", "gnumakefile",
               "justfile", "procfile", "pipfile", ".env")
"""Names whose files take ``#`` comments whatever their suffix."""
_LICENSE_STEMS = ("license", "licence", "notice", "use_policy", "copying", "acceptable_use")
_ORCHESTRATION_DIRS = ("k8s", "kubernetes", "kube", "helm", "charts", "manifests", "kustomize")
_CI_FILES = (".gitlab-ci.yml", "azure-pipelines.yml", "azure-pipelines.yaml",
             "bitbucket-pipelines.yml", ".drone.yml", ".travis.yml", "cloudbuild.yaml",
             "cloudbuild.yml", "action.yml", "action.yaml", "skaffold.yaml",
             "kustomization.yaml", "kustomization.yml", "chart.yaml")
_CONFIG = (  # the config formats, by suffix: (suffixes, format, comments)
    (_YAML, "yaml", HASH),
    ((".json",), "json", None),
    ((".jsonc",), "jsonc", None),
    ((".toml",), "toml", HASH),
    ((".ini", ".cfg"), "ini", HASH_SEMICOLON),
    ((".conf",), "ini", HASH),
    ((".properties",), "properties", HASH),
    ((".env",), "env", HASH),
)
_TEXT = (  # text and documentation formats, by suffix
    ((".md", ".markdown"), "markdown", HTML),
    ((".rst",), "rst", RST),
    ((".txt",), "text", HASH),
    ((".adoc",), "adoc", None),
)
_ANY_SUFFIX = (  # what else a license or notice file can be written in
    *_TEXT, *_CONFIG,
    ((".html", ".htm"), "html", HTML),
    ((".sh", ".bash", ".zsh"), "shell", HASH),
    ((".mk",), "make", HASH),
    ((".tf", ".tfvars", ".hcl"), "hcl", HASH_SLASH),
    ((".in", ".lock", ".dockerfile"), "text", HASH),
)

ROWS: tuple[Row, ...] = (
    # Python code and notebooks (setup.py is a manifest that is also code)
    Row(_type(_M, "python", PYTHON, "setup.py"), names=("setup.py",)),
    Row(_type(FileKind.PYTHON, "python", PYTHON), suffixes=(".py", ".pyi", ".pyw")),
    Row(_type(FileKind.NOTEBOOK, "notebook", NOTEBOOK), suffixes=(".ipynb",)),
    # lockfiles
    Row(_type(_L, "toml", HASH, "poetry.lock"), names=("poetry.lock",)),
    Row(_type(_L, "toml", HASH, "uv.lock"), names=("uv.lock",)),
    Row(_type(_L, "toml", HASH, "pdm.lock"), names=("pdm.lock",)),
    Row(_type(_L, "json", HASH, "pipfile.lock"), names=("pipfile.lock",)),
    Row(_type(_L, "toml", HASH, "pylock"), names=("pylock.toml",), globs=("pylock.*.toml",)),
    Row(_type(_L, "json", None, "npm-lock"), names=("package-lock.json", "npm-shrinkwrap.json")),
    Row(_type(_L, "jsonc", None, "bun.lock"), names=("bun.lock",)),
    Row(_type(_L, "yaml", HASH, "pnpm-lock"), names=("pnpm-lock.yaml",)),
    Row(_type(_L, "yarn.lock", HASH, "yarn.lock"), names=("yarn.lock",)),
    Row(_type(_L, "go.sum", None, "go.sum"), names=("go.sum",)),
    Row(_type(_L, "toml", HASH, "cargo.lock"), names=("cargo.lock",)),
    Row(_type(_L, "gradle.lockfile", HASH, "gradle.lockfile"), names=("gradle.lockfile",)),
    # manifests
    Row(_type(_M, "toml", HASH, "pyproject"), names=("pyproject.toml",)),
    Row(_type(_M, "ini", HASH_SEMICOLON, "setup.cfg"), names=("setup.cfg",)),
    Row(_type(_M, "json", None, "package.json"), names=("package.json",)),
    Row(_type(_M, "go.mod", SLASH, "go.mod"), names=("go.mod",)),
    Row(_type(_M, "toml", HASH, "cargo.toml"), names=("cargo.toml",)),
    Row(_type(_M, "xml", HTML, "pom.xml"), names=("pom.xml",)),
    Row(_type(_M, "gradle", C_LIKE, "gradle"), names=("build.gradle", "build.gradle.kts")),
    Row(_type(_M, "toml", HASH, "pipfile"), names=("pipfile",)),
    Row(_type(_M, "requirements", HASH, "requirements"),
        globs=("requirements*.txt", "*requirements*.in")),
    Row(_type(_M, "requirements", HASH, "requirements"), suffixes=(".txt", ".in"),
        ancestors=("requirements",)),
    Row(_type(_M, "yaml", HASH, "conda"),
        names=("environment.yml", "environment.yaml", "conda.yml", "conda.yaml")),
    # sources in other languages, read with tree-sitter (scan/treesitter)
    Row(_type(FileKind.SOURCE, "javascript", C_LIKE), suffixes=(".js", ".mjs", ".cjs", ".jsx")),
    Row(_type(FileKind.SOURCE, "typescript", C_LIKE), suffixes=(".ts", ".mts", ".cts")),
    Row(_type(FileKind.SOURCE, "tsx", C_LIKE), suffixes=(".tsx",)),
    Row(_type(FileKind.SOURCE, "vue", HTML), suffixes=(".vue", ".svelte")),
    Row(_type(FileKind.SOURCE, "go", C_LIKE), suffixes=(".go",)),
    Row(_type(FileKind.SOURCE, "rust", C_LIKE), suffixes=(".rs",)),
    Row(_type(FileKind.SOURCE, "java", C_LIKE), suffixes=(".java",)),
    Row(_type(FileKind.SOURCE, "kotlin", C_LIKE), suffixes=(".kt", ".kts")),
    # model artefacts
    Row(_type(_A, "json", None), names=("adapter_config.json", "config.json",
                                        "tokenizer_config.json", "generation_config.json",
                                        "params.json")),
    Row(_type(_A, "gguf", None), suffixes=(".gguf", ".ggml")),
    # infrastructure
    Row(_type(_I, "dockerfile", HASH), prefixes=("dockerfile", "containerfile")),
    Row(_type(_I, "dockerfile", HASH), suffixes=(".dockerfile",)),
    Row(_type(_I, "modelfile", HASH), prefixes=("modelfile",)),
    Row(_type(_I, "shell", HASH), suffixes=(".sh", ".bash", ".zsh")),
    Row(_type(_I, "make", HASH), suffixes=(".mk",)),
    Row(_type(_I, "hcl", HASH_SLASH), suffixes=(".tf", ".tfvars", ".hcl")),
    Row(_type(_I, "make", HASH), names=("makefile", "gnumakefile")),
    Row(_type(_I, "shell", HASH), names=("justfile", "procfile")),
    Row(_type(_I, "shell", None), names=("jenkinsfile",)),
    Row(_type(_I, "yaml", HASH), names=_CI_FILES,
        globs=("docker-compose*.y*ml", "compose*.y*ml")),
    Row(_type(_I, "yaml", HASH), suffixes=_YAML, parents=(".github/workflows", ".circleci")),
    Row(_type(_I, "yaml", HASH), suffixes=_YAML, ancestors=_ORCHESTRATION_DIRS),
    # licenses and notices
    *(Row(_type(_T, fmt, comments), prefixes=_LICENSE_STEMS, suffixes=suffixes)
      for suffixes, fmt, comments in _ANY_SUFFIX),
    Row(_type(_T, "text", None), prefixes=_LICENSE_STEMS),
    Row(_type(_T, "text", None), globs=("*license*", "*licence*"), suffixes=("",)),
    Row(_type(_T, "markdown", HTML), globs=("*license*", "*licence*"), suffixes=(".md",)),
    Row(_type(_T, "text", HASH), globs=("*license*", "*licence*"), suffixes=(".txt",)),
    # configuration
    *(Row(_type(_C, fmt, comments), suffixes=suffixes) for suffixes, fmt, comments in _CONFIG),
    Row(_type(_C, "env", HASH), names=(".env",), prefixes=(".env.", ".env_", ".env-")),
    # documentation
    *(Row(_type(_T, fmt, comments), suffixes=suffixes) for suffixes, fmt, comments in _TEXT),
    # read by nothing; listed for their comment syntax
    Row(_type(FileKind.OTHER, "html", HTML), suffixes=(".html", ".htm")),
    Row(_type(FileKind.OTHER, "text", HASH), prefixes=_HASH_NAMES),
    Row(_type(FileKind.OTHER, "text", HASH), suffixes=(".lock", ".in")),
)

OTHER = FileType(FileKind.OTHER, "", None)


@lru_cache(maxsize=4096)
def file_type(rel: str) -> FileType:
    """The type of the file at ``rel`` (a relative path, POSIX separators)."""
    parts = [part for part in rel.lower().split("/") if part and part != "."]
    name = parts.pop() if parts else ""
    dot = name.rfind(".")
    suffix = name[dot:] if 0 < dot < len(name) - 1 else ""  # as PurePosixPath.suffix
    dirs = tuple(parts)
    by_suffix, any_suffix = _compiled(ROWS)
    rows = by_suffix.get(suffix, any_suffix)
    return next((row.type for row in rows if row.matches(name, dirs)), OTHER)


def path_type(rel_dir: str, name: str) -> FileType:
    """``file_type(rel_dir + "/" + name)``, fast: discovery calls it for every file. Per
    suffix, a set, a tuple and one regular expression hold the name tests of the rows
    before the first row with no test at all; a name that matches none of them (most names)
    gets that row's type, or that of the first row with only a directory test that holds
    for ``rel_dir`` (known once per directory). Other names are tried row by row."""
    lower = name.lower()
    dot = lower.rfind(".")
    suffix = lower[dot:] if 0 < dot < len(lower) - 1 else ""
    if _NAME_INDEX and _NAME_INDEX[0][0] is ROWS:
        by_suffix, any_suffix = _NAME_INDEX[0][1]
    else:
        by_suffix, any_suffix = _name_index(ROWS)
    names, prefixes, globs, dir_rows, default, matchers = by_suffix.get(suffix, any_suffix)
    if not (lower in names or lower.startswith(prefixes)
            or (globs is not None and globs.match(lower) is not None)):
        if not dir_rows:
            return default
        key = (suffix, rel_dir)
        known = _BY_DIRECTORY.get(key)
        if known is None:
            if len(_BY_DIRECTORY) > 10_000:
                _BY_DIRECTORY.clear()
            dirs = _dirs(rel_dir)
            known = _BY_DIRECTORY[key] = next(
                (m.type for m in dir_rows if m.matches(lower, dirs)), default)
        return known
    dirs = _dirs(rel_dir)
    return next((m.type for m in matchers if m.matches(lower, dirs)), OTHER)


def _dirs(rel_dir: str) -> tuple[str, ...]:
    return tuple(part for part in rel_dir.lower().split("/") if part and part != ".")


_BY_DIRECTORY: dict[tuple[str, str], FileType] = {}
_NameIndex = tuple[frozenset[str], tuple[str, ...], re.Pattern[str] | None, tuple[_Matcher, ...],
                   FileType, tuple[_Matcher, ...]]
_NAME_INDEX: list[tuple[tuple[Row, ...], tuple[dict[str, _NameIndex], _NameIndex]]] = []


def _name_index(rows: tuple[Row, ...]) -> tuple[dict[str, _NameIndex], _NameIndex]:
    """Per suffix: the name tests of the rows before the first row without tests (names,
    prefixes, globs as one pattern), those of them with only a directory test, the type
    when none of them applies (that row's, or ``OTHER``), and all the rows."""
    by_suffix, any_suffix = _compiled(rows)

    def entry(matchers: tuple[_Matcher, ...]) -> _NameIndex:
        first = next((i for i, m in enumerate(matchers)
                      if m.name is None and not m.parents and not m.ancestors), None)
        before = matchers if first is None else matchers[:first]
        globs = [fnmatch.translate(g) for m in before for g in m.row.globs]
        dir_rows = tuple(m for m in before if m.name is None)
        return (frozenset(n for m in before for n in m.row.names),
                tuple(p for m in before for p in m.row.prefixes),
                re.compile("|".join(globs), re.DOTALL) if globs else None,
                dir_rows, OTHER if first is None else matchers[first].type, matchers)

    _BY_DIRECTORY.clear()
    _NAME_INDEX[:] = [(rows, ({suffix: entry(ms) for suffix, ms in by_suffix.items()},
                              entry(any_suffix)))]
    return _NAME_INDEX[0][1]


_Index = tuple[dict[str, tuple[_Matcher, ...]], tuple[_Matcher, ...]]
_INDEX: list[tuple[tuple[Row, ...], _Index]] = []


def _compiled(rows: tuple[Row, ...]) -> _Index:
    """Per suffix, the rows that can match a file with it (in table order), and the rows for
    any other suffix: most files are tried against a few rows. Rebuilt when ``ROWS`` is."""
    if not _INDEX or _INDEX[0][0] is not rows:
        matchers = [(row.suffixes, _Matcher(row)) for row in rows]
        suffixes = {suffix for row in rows for suffix in row.suffixes}
        index = {suffix: tuple(m for allowed, m in matchers if not allowed or suffix in allowed)
                 for suffix in suffixes}
        _INDEX[:] = [(rows, (index, tuple(m for allowed, m in matchers if not allowed)))]
    return _INDEX[0][1]


def classify(rel: str) -> FileKind:
    """The kind of a file from its path alone (relative, POSIX separators)."""
    return file_type(rel).kind


def comment_style(rel: str) -> CommentStyle | None:
    """The comment syntax suppressions use in the file at ``rel``; None: use a config waiver."""
    return file_type(rel).comments
