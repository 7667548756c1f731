"""The one data model every stage passes around: plain, frozen values."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from auditor.details import DetailKey, Details
from auditor.fingerprint import compute_fingerprint

SCHEMA_VERSION = "1.0"


class Severity(str, enum.Enum):
    """How much a finding blocks leaving Llama; drives ``--fail-on``."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 0, Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3}


class Category(str, enum.Enum):
    MODEL_REFERENCE = "model-reference"
    LOADER = "loader"
    LLAMA_API = "llama-api"
    PROMPT_FORMAT = "prompt-format"
    FINE_TUNE = "fine-tune"
    DEPENDENCY = "dependency"
    LICENSE = "license"


class Effort(str, enum.Enum):
    """How much work migrating one finding is."""

    SWAP = "swap"
    ADAPT = "adapt"
    RETRAIN = "retrain"
    KEEP = "keep"


class Role(str, enum.Enum):
    """What a Llama string is, by where it sits (docs/detection.md#roles)."""

    MODEL_REFERENCE = "model-reference"
    TEMPLATE_SELECTION = "template-selection"
    LABEL = "label"
    REGISTRY_KEY = "registry-key"
    DATASET = "dataset"
    PATH = "path"
    PLUGIN_NAME = "plugin-name"
    OPTION_VALUE = "option-value"  # one of an option's choices, or its default
    DOCUMENTATION = "documentation"
    ARCHITECTURE = "architecture"


class FileKind(str, enum.Enum):
    PYTHON = "python"
    NOTEBOOK = "notebook"
    MANIFEST = "manifest"
    LOCKFILE = "lockfile"
    CONFIG = "config"
    INFRA = "infra"
    ARTEFACT = "artefact"
    TEXT = "text"
    SOURCE = "source"
    """Code in a language other than Python (JavaScript/TypeScript, Go, Rust, Java, Kotlin)."""
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class ModelRef:
    """A canonical reference to one Llama model, as ``identify`` understood a raw string."""

    family: str
    """E.g. ``Llama 3.1``, ``Code Llama``, ``Llama Guard 3``, ``Llama 4``."""
    variant: str
    """base, instruct, vision-base, vision-instruct, code, code-instruct, code-python, guard,
    guard-vision, prompt-guard."""
    runtime: str
    """How the string names the model: huggingface, ollama, gguf, mlx, bedrock, vertex-ai, ..."""
    size: str | None = None
    """Size label as Meta names it (``8B``, ``17B-16E``), or None when the string does not say."""
    params_b: float | None = None
    active_params_b: float | None = None
    canonical_id: str | None = None
    """The Meta Hugging Face repository this most likely is, when one fits."""
    derivative: bool = False
    """A fine-tune, quantisation or re-upload not published by Meta."""
    meta_weights: bool = True
    """False for Llama-architecture models trained by others (TinyLlama)."""
    provider: str | None = None
    """Hosted provider or LiteLLM prefix that serves it, when the string says."""

    def label(self) -> str:
        parts = [self.family]
        if self.size:
            parts.append(self.size)
        if self.variant not in ("base", ""):
            parts.append(self.variant)
        text = " ".join(parts)
        if self.derivative:
            text += " (derivative)"
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "family": self.family,
            "variant": self.variant,
            "runtime": self.runtime,
            "size": self.size,
            "params_b": self.params_b,
            "active_params_b": self.active_params_b,
            "canonical_id": self.canonical_id,
            "derivative": self.derivative,
            "meta_weights": self.meta_weights,
            "provider": self.provider,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> ModelRef:
        return cls(
            family=str(data["family"]),
            variant=str(data["variant"]),
            runtime=str(data["runtime"]),
            size=_opt_str(data.get("size")),
            params_b=_opt_float(data.get("params_b")),
            active_params_b=_opt_float(data.get("active_params_b")),
            canonical_id=_opt_str(data.get("canonical_id")),
            derivative=bool(data.get("derivative", False)),
            meta_weights=bool(data.get("meta_weights", True)),
            provider=_opt_str(data.get("provider")),
        )


@dataclass(frozen=True, slots=True)
class Check:
    """One verification of a suggestion against Hub metadata. ``passed`` None = unknown."""

    name: str
    passed: bool | None
    detail: str

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "passed": self.passed, "detail": self.detail}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Check:
        passed = data.get("passed")
        return cls(str(data["name"]), None if passed is None else bool(passed), str(data["detail"]))


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A replacement for the Llama model of a finding, with the checks it passed or failed."""

    hub_id: str
    family: str
    runtime_name: str
    """How to name the replacement for the finding's runtime (HF id, Ollama tag, GGUF repo...)."""
    reason: str
    checks: tuple[Check, ...] = ()
    source: str = ""
    """Where the metadata came from: ``snapshot YYYY-MM-DD`` or ``live <fetch time>``."""
    license: str | None = None

    @property
    def all_passed(self) -> bool:
        return all(check.passed is True for check in self.checks)

    def to_dict(self) -> dict[str, object]:
        return {
            "hub_id": self.hub_id,
            "family": self.family,
            "runtime_name": self.runtime_name,
            "reason": self.reason,
            "license": self.license,
            "source": self.source,
            "checks": [c.to_dict() for c in self.checks],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Suggestion:
        checks = data.get("checks") or []
        assert isinstance(checks, list)
        return cls(
            hub_id=str(data["hub_id"]),
            family=str(data["family"]),
            runtime_name=str(data["runtime_name"]),
            reason=str(data["reason"]),
            checks=tuple(Check.from_dict(c) for c in checks),
            source=str(data.get("source", "")),
            license=_opt_str(data.get("license")),
        )


@dataclass(frozen=True, slots=True)
class Span:
    """A range in a file: lines and columns 1-based, ``end_column`` exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True, slots=True)
class SourceFile:
    root: Path
    """Absolute scan root the file was found under."""
    path: Path
    """Absolute path of the file."""
    rel: str
    """Path relative to the root, POSIX separators: what reports show."""
    kind: FileKind
    size: int
    stamp: tuple[int, int, int] = (0, 0, 0)
    """(mtime_ns, ctime_ns, inode) when discovered: with ``size``, what the warm-scan index
    compares to decide the file is unchanged without reading it; (0, 0, 0) when unknown."""


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule fired at a position. Lines are 1-based; columns 1-based, end exclusive."""

    rule_id: str
    line: int
    column: int
    end_line: int
    end_column: int
    identifier: str | None = None
    model: ModelRef | None = None
    context: str = ""
    snippet: str | None = None
    """None: the engine shows the source line at ``line``."""
    cell: int | None = None
    cell_line: int | None = None
    details: Details = ()
    message_values: tuple[tuple[str, str], ...] = ()
    """Extra placeholders for the rule's message template."""
    role: Role | None = None
    """What the string is where it sits; None: the scanner did not say (see ``Finding``)."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One Llama touch-point. Positions are 1-based; ``end_column`` is exclusive."""

    rule_id: str
    category: Category
    severity: Severity
    effort: Effort
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    message: str
    snippet: str
    identifier: str | None = None
    model: ModelRef | None = None
    context: str = ""
    """Enclosing function/class or config key path; part of the fingerprint."""
    suggestions: tuple[Suggestion, ...] = ()
    cell: int | None = None
    cell_line: int | None = None
    details: Details = ()
    """Kind-specific facts (package, constraint, direct/transitive, chain...): see ``DetailKey``."""
    root: str = ""
    fingerprint: str = field(default="")
    baseline_state: str | None = None
    """Set by the policy stage when a baseline or ``--new-since`` applies: ``new`` or ``known``."""
    role: Role | None = None
    """What the string is where it sits (``Role``); None: not about a string (a package)."""

    def __post_init__(self) -> None:
        if not self.fingerprint:
            key = self.identifier if self.identifier else self.snippet
            object.__setattr__(
                self, "fingerprint", compute_fingerprint(self.rule_id, self.path, key, self.context)
            )

    @property
    def sort_key(self) -> tuple[str, str, int, int, str, str]:
        return (self.root, self.path, self.line, self.column, self.rule_id, self.identifier or "")

    def detail(self, key: DetailKey) -> str | None:
        for k, v in self.details:
            if k == key:
                return v
        return None


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A file the scan skipped or could only partly read, and why. Never a failure."""

    path: str
    code: str
    """Short machine code: parse-error, decode-error, binary, too-large, unreadable, ..."""
    message: str
    line: int | None = None
    root: str = ""

    @property
    def sort_key(self) -> tuple[str, str, int, str]:
        return (self.root, self.path, self.line or 0, self.code)


@dataclass(frozen=True, slots=True)
class ToolInfo:
    name: str
    version: str
    rules_version: str
    catalog_date: str | None = None
    catalog_source: str | None = None


@dataclass(frozen=True, slots=True)
class ScanStats:
    files_discovered: int = 0
    files_scanned: int = 0
    files_parsed: int = 0
    files_skipped: int = 0
    files_by_kind: tuple[tuple[str, int], ...] = ()
    duration_seconds: float = 0.0
    policy: tuple[tuple[str, int], ...] = ()
    """Counts from the policy stage (new, known, suppressed, waived...); empty before it runs."""


@dataclass(frozen=True, slots=True)
class SuppressionComment:
    """A comment mentioning ``llama-audit:`` as the scan read it (the policy stage parses it)."""

    line: int
    """1-based line of the comment (within the cell for notebooks)."""
    text: str
    """The comment without its opening delimiter."""
    alone: bool
    """Nothing but the comment on its line."""
    cell: int | None = None


@dataclass(frozen=True, slots=True)
class FileComments:
    """The marker comments of one scanned file."""

    root: str
    path: str
    comments: tuple[SuppressionComment, ...]


@dataclass(frozen=True, slots=True)
class RootInfo:
    """Who a scan root is, for reports of many repositories and for SARIF."""

    root: str
    """The root as it appears in ``AuditResult.roots`` and ``Finding.root``."""
    name: str
    """The repository's name in reports: ``--name``, else the git remote's or folder's name."""
    repo_path: str | None = None
    """The folder the root's finding paths start from (the root, or a file root's folder),
    relative to its git top level (POSIX, "" at the top); None outside git."""
    top: str | None = None
    """The git top level written like the root: absolute, or relative to where the scan ran."""


@dataclass(frozen=True, slots=True)
class AuditResult:
    tool: ToolInfo
    roots: tuple[str, ...]
    findings: tuple[Finding, ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    stats: ScanStats = ScanStats()
    schema_version: str = SCHEMA_VERSION
    comments: tuple[FileComments, ...] = ()
    """Every scanned file's suppression comments, for the policy stage; not part of reports."""
    root_info: tuple[RootInfo, ...] = ()
    """Names and repository positions of the roots (same order); empty in older results."""


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)


def _opt_float(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return float(str(value))
