"""Every error llama-audit raises on purpose derives from ``AuditError``; parse failures are
``ScanError``s whose ``code`` the scan engine reports as the diagnostic."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import click
import pytest

import auditor
from auditor.errors import AuditError, ScanError
from auditor.scan.context import ScanContext, ScanOutput
from auditor.scan.runner import scan_paths
from auditor.types import SourceFile

from .hostile import corpus


def _exception_classes() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(auditor.__path__, "auditor."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, BaseException) and \
                    value.__module__ == info.name:
                found[f"{info.name}.{name}"] = value
    return found


def test_every_exception_class_derives_from_audit_error() -> None:
    classes = _exception_classes()
    assert len(classes) >= 27
    outside = sorted(name for name, cls in classes.items()
                     if not issubclass(cls, (AuditError, click.ClickException)))
    # A stop signal is not an error: like KeyboardInterrupt, no ``except Exception`` catches it.
    assert outside == ["auditor.util.stops.Terminated"]
    assert not issubclass(classes["auditor.util.stops.Terminated"], Exception)


@pytest.mark.parametrize("name", [
    "auditor.scan.config.ParseFailure",
    "auditor.scan.documents.yaml_values.YamlFailure",
    "auditor.scan.documents.toml_values.TomlFailure",
    "auditor.scan.documents.toml_positions.TomlLocateError",
    "auditor.scan.documents.json_positions.JsonError",
    "auditor.scan.deps.pep508.Pep508Error",
    "auditor.scan.deps.requirement_spec.RequirementError",
    "auditor.scan.gguf.GgufError",
    "auditor.isolate.outcomes.ParseGuardError",
])
def test_parse_failures_are_scan_errors_with_a_code(name: str) -> None:
    module_name, _, class_name = name.rpartition(".")
    cls = getattr(importlib.import_module(module_name), class_name)
    assert issubclass(cls, ScanError)
    assert isinstance(cls.code, str) and cls.code


def test_the_engine_turns_a_scan_error_into_its_diagnostic(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import auditor.scan.runner as runner
    from auditor.scan.documents.yaml_values import YamlFailure

    root = tmp_path / "repo"
    corpus.write(root / "a.py", corpus.MODEL_LINE)
    corpus.write(root / "b.py", corpus.MODEL_LINE)
    real = runner.scanners_for

    def refuse(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
        raise YamlFailure("nested too deeply", 7, "too-deep")

    def scanners(file: SourceFile):  # type: ignore[no-untyped-def]
        return [refuse] if file.rel == "a.py" else real(file)

    monkeypatch.setattr(runner, "scanners_for", scanners)
    result = scan_paths([root])
    assert [(d.path, d.code, d.message, d.line) for d in result.diagnostics] == [
        ("a.py", "too-deep", "nested too deeply", 7)]
    assert [(f.path, f.rule_id) for f in result.findings] == [("b.py", "LA101")]
