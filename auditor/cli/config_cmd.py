"""``llama-audit config show``: the configuration a scan resolves, and where each value is from."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from auditor.policy.config import ConfigError, ResolvedConfig, describe_value
from auditor.policy.config_schema import KEY_NAMES, default_text
from auditor.policy.gate import config_for


@click.group("config")
def config_group() -> None:
    """Show the configuration llama-audit resolves, and where each value comes from."""


@config_group.command("show")
@click.argument("path", required=False, type=click.Path(path_type=Path, exists=True),
                default=Path("."))
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="Show this config file only (no search upwards).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]),
              default="text", show_default=True)
def config_show(path: Path, config_file: Path | None, output_format: str) -> None:
    """The configuration that applies to a scan of PATH (default: .): each key's value and
    the file it comes from. Exits 2 when a config file is invalid."""
    try:
        config = config_for([path], config_file, False)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from exc
    if output_format == "json":
        click.echo(json.dumps(config_as_data(config), indent=2, ensure_ascii=False))
    else:
        click.echo(render_config(config), nl=False)

def config_as_data(config: ResolvedConfig) -> dict[str, Any]:
    return {
        "files": [{"path": f.display, "root": f.table.get("root") is True}
                  for f in config.files],
        "values": {
            key: {"value": _plain(describe_value(key, config)),
                  "source": config.sources[key].label if key in config.sources else "default"}
            for key in KEY_NAMES
        },
    }


def _plain(value: object) -> object:
    if isinstance(value, tuple):
        return list(value)
    return value


def render_config(config: ResolvedConfig) -> str:
    """TOML-like text: what ``[tool.llama-audit]`` resolves to, with each value's source."""
    lines = []
    if config.files:
        lines.append("# config files, nearest first:")
        for file in config.files:
            suffix = "  (root = true)" if file.table.get("root") is True else ""
            lines.append(f"#   {file.label}{suffix}")
    else:
        lines.append("# no config file found: defaults apply")
    lines.append("")
    for key in KEY_NAMES:
        if key == "waivers":
            continue
        source = config.sources[key].label if key in config.sources else "default"
        if key in config.sources:
            value = _toml_value(describe_value(key, config))
        else:
            value = default_text(key)
        lines.append(f"{key} = {value}  # {source}")
    waivers = describe_value("waivers", config)
    if isinstance(waivers, list) and waivers:
        source = config.sources["waivers"].label
        for waiver in waivers:
            lines.append("")
            lines.append(f"[[waivers]]  # {source}")
            for name, item in waiver.items():
                lines.append(f"{name} = {_toml_value(item)}")
    else:
        lines.append("waivers = []  # default")
    return "\n".join(lines) + "\n"


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else str(value)
