"""Configuration: ``[tool.llama-audit]`` in ``pyproject.toml`` or a ``.llama-audit.toml``.

Files are looked for from the scanned directory upwards. Every file found on the way applies,
the nearest one winning key by key, until a file says ``root = true``, the top of the git
repository (a directory holding ``.git``) or the filesystem root. In one directory
``.llama-audit.toml`` (keys at top level) and ``pyproject.toml`` (keys under
``[tool.llama-audit]``) may not both configure llama-audit. Relative paths in a file are
relative to that file's directory. Unknown keys and wrong types are errors that name the file,
the key and the expected type (``config_schema``).
"""

from __future__ import annotations

import fnmatch
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from auditor.errors import ConfigError as ConfigError
from auditor.policy.config_schema import (
    CONFIG_FILE_NAME,
    KEYS,
    PYPROJECT_NAME,
    TOOL_TABLE,
    ConfigFile,
    WaiverSpec,
    validate_table,
)
from auditor.policy.waivers import Waiver

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

@dataclass(frozen=True)
class ResolvedConfig:
    files: tuple[ConfigFile, ...] = ()
    """Every file that applied, nearest first."""
    values: Mapping[str, object] = field(default_factory=dict)
    """Key to value for keys some file set (paths already absolute)."""
    sources: Mapping[str, ConfigFile] = field(default_factory=dict)
    """Key to the file its value came from."""

    def _get(self, key: str) -> object:
        return self.values.get(key, next(k.default for k in KEYS if k.name == key))

    @property
    def exclude(self) -> tuple[str, ...]:
        return tuple(str(p) for p in self._sequence("exclude"))

    @property
    def fail_on(self) -> str | None:
        value = self._get("fail-on")
        return None if value is None else str(value)

    @property
    def baseline(self) -> Path | None:
        value = self._get("baseline")
        return value if isinstance(value, Path) else None

    @property
    def rule_dirs(self) -> tuple[Path, ...]:
        return tuple(Path(str(p)) for p in self._sequence("rule-dirs"))

    @property
    def prefer(self) -> tuple[str, ...]:
        return tuple(str(p) for p in self._sequence("prefer"))

    @property
    def preferred_family(self) -> str | None:
        """The family replacements should come from first (``--prefer``), if configured."""
        return self.prefer[0] if self.prefer else None

    @property
    def waiver_specs(self) -> tuple[WaiverSpec, ...]:
        return tuple(w for w in self._sequence("waivers") if isinstance(w, WaiverSpec))

    def _sequence(self, key: str) -> tuple[object, ...]:
        value = self._get(key)
        return tuple(value) if isinstance(value, (list, tuple)) else ()

    def exclude_for(self, scan_root: Path) -> tuple[str, ...]:
        """Exclude patterns rewritten relative to ``scan_root`` (they are written relative to
        the directory of the file that set them)."""
        source = self.sources.get("exclude")
        if source is None:
            return ()
        prefix = _relative_dir(scan_root, source.directory)
        out = []
        for pattern in self.exclude:
            rebased = rebase_pattern(pattern, prefix)
            if rebased is not None:
                out.append(rebased)
        return tuple(out)

    def waivers(self, resolve_rule: Callable[[str], str | None]) -> tuple[Waiver, ...]:
        """The waivers with their rule references resolved; ConfigError for unknown rules."""
        out = []
        for spec in self.waiver_specs:
            rule_id = resolve_rule(spec.rule)
            if rule_id is None:
                raise ConfigError(
                    f"{spec.file.label}: waivers[{spec.index}].rule: unknown rule "
                    f"{spec.rule!r} (see 'llama-audit rules list')")
            out.append(Waiver(
                rule_id=rule_id, path=spec.path, reason=spec.reason,
                identifier=spec.identifier, until=spec.until, source=spec.file.display,
                index=spec.index, base_dir=str(spec.file.directory), rule_ref=spec.rule))
        return tuple(out)


def load_config(
    start: Path, explicit: Path | None = None, cwd: Path | None = None
) -> ResolvedConfig:
    """The configuration for a scan of ``start`` (a directory or a file).

    ``explicit`` (``--config FILE``) replaces the search: only that file applies.
    """
    base = Path(os.path.realpath(cwd or Path.cwd()))
    if explicit is not None:
        path = Path(os.path.realpath(explicit))
        if not path.is_file():
            raise ConfigError(f"config file {explicit} does not exist")
        loaded = _load_file(path, base, required=True)
        assert loaded is not None
        return _merge([loaded])
    directory = Path(os.path.realpath(start))
    if not directory.is_dir():
        directory = directory.parent
    files: list[ConfigFile] = []
    while True:
        found = _load_directory(directory, base)
        if found is not None:
            files.append(found)
            if found.table.get("root") is True:
                break
        if (directory / ".git").exists() or directory.parent == directory:
            break
        directory = directory.parent
    return _merge(files)


def _merge(files: list[ConfigFile]) -> ResolvedConfig:
    values: dict[str, object] = {}
    sources: dict[str, ConfigFile] = {}
    for file in files:
        for key, value in file.table.items():
            if key not in values:
                values[key] = value
                sources[key] = file
    return ResolvedConfig(files=tuple(files), values=values, sources=sources)


def _load_directory(directory: Path, base: Path) -> ConfigFile | None:
    own = directory / CONFIG_FILE_NAME
    pyproject = directory / PYPROJECT_NAME
    from_own = _load_file(own, base, required=True) if own.is_file() else None
    from_pyproject = _load_file(pyproject, base, required=False) if pyproject.is_file() else None
    if from_own is not None and from_pyproject is not None:
        raise ConfigError(
            f"both {from_own.display} and {from_pyproject.label} configure llama-audit; "
            "keep one of them")
    return from_own or from_pyproject


def _display(path: Path, base: Path) -> str:
    try:
        return path.relative_to(base).as_posix()
    except ValueError:
        return str(path)


def _load_file(path: Path, base: Path, *, required: bool) -> ConfigFile | None:
    display = _display(path, base)
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        raise ConfigError(f"{display}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        if not required:
            return None  # a scanned project's broken pyproject: the manifest scan reports it
        raise ConfigError(f"{display}: not UTF-8 text: {exc.reason}") from exc
    except tomllib.TOMLDecodeError as exc:
        if not required and f"[tool.{TOOL_TABLE}" not in text:
            # Not our configuration that is broken but the scanned project's manifest: the
            # dependency scanner reports it as a diagnostic and the scan goes on.
            return None
        raise ConfigError(f"{display}: invalid TOML: {exc}") from exc
    if path.name == PYPROJECT_NAME:
        tool = data.get("tool")
        table = tool.get(TOOL_TABLE) if isinstance(tool, dict) else None
        if table is None:
            if not required:
                return None
            table = {}
        where = f"{display} [tool.{TOOL_TABLE}]"
        if not isinstance(table, dict):
            raise ConfigError(f"{display}: [tool.{TOOL_TABLE}] must be a table")
    else:
        table = data
        where = display
    file = ConfigFile(path=path, display=display, table={})
    validated = validate_table(table, where, file)
    return ConfigFile(path=path, display=display, table=validated)


def _relative_dir(scan_root: Path, config_dir: Path) -> str | None:
    """``scan_root``'s directory relative to ``config_dir`` ('' when equal; None outside)."""
    root = Path(os.path.realpath(scan_root))
    if not root.is_dir():
        root = root.parent
    try:
        rel = root.relative_to(os.path.realpath(config_dir))
    except ValueError:
        return None
    text = rel.as_posix()
    return "" if text == "." else text


def rebase_pattern(pattern: str, prefix: str | None) -> str | None:
    """A gitignore-style pattern written for a directory, rewritten for its subdirectory
    ``prefix`` (None: a directory outside it). None when it cannot match inside it."""
    negate = pattern.startswith("!")
    body = pattern[1:] if negate else pattern
    anchored = "/" in body.rstrip("/")
    if not anchored or body.startswith("**/"):
        return pattern
    if prefix is None:
        return None
    if not prefix:
        return pattern
    parts = body.lstrip("/").split("/")
    for component in prefix.split("/"):
        if not parts or parts == [""]:
            return None  # the pattern names the scanned directory or a parent: scan it anyway
        head = parts[0]
        if head == "**":
            break
        if not fnmatch.fnmatchcase(component, head):
            return None
        parts = parts[1:]
    if not parts or parts == [""]:
        return None
    return ("!" if negate else "") + "/" + "/".join(parts)


def describe_value(key: str, config: ResolvedConfig, cwd: Path | None = None) -> object:
    """A value as ``config show`` prints it: plain data, paths relative to ``cwd``."""
    base = Path(os.path.realpath(cwd or Path.cwd()))
    if key not in config.values:
        return next(k.default for k in KEYS if k.name == key)
    value = config.values[key]
    if isinstance(value, Path):
        return _display(value, base)
    if key == "rule-dirs":
        return [_display(Path(str(p)), base) for p in _as_list(value)]
    if key == "waivers":
        return [_waiver_dict(w) for w in _as_list(value) if isinstance(w, WaiverSpec)]
    return value


def _as_list(value: object) -> list[object]:
    return list(value) if isinstance(value, (list, tuple)) else []


def _waiver_dict(spec: WaiverSpec) -> dict[str, object]:
    data: dict[str, object] = {"rule": spec.rule, "path": spec.path, "reason": spec.reason}
    if spec.identifier is not None:
        data["identifier"] = spec.identifier
    if spec.until is not None:
        data["until"] = spec.until.isoformat()
    return data
