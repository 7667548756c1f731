"""``llama-audit suggest`` and ``llama-audit catalog show|refresh|verify``.

Exit codes: 0 ok; 1 ``catalog verify`` found facts that changed on the Hub; 2 usage or
configuration errors (one line, no traceback), including a MODEL_ID that is not a Llama model
and a Hub that could not be reached at all by ``catalog refresh``/``verify``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from auditor.cli.exit_codes import ExitCode
from auditor.cli.options import PREFER_CHOICES
from auditor.cli.output import OutputError, write_output
from auditor.enrich.attach import (
    DEFAULT_LICENSE_ALLOW,
    EnrichOptions,
    open_session,
    problems_to_diagnostics,
)
from auditor.enrich.entries import Catalog, CatalogError
from auditor.enrich.hub import HubSettings, LiveHub, hub_offline_reason
from auditor.enrich.hub_cache import HubCache, default_cache_dir, ttl_from_env
from auditor.enrich.query import NotLlamaError, plan_for_identifier
from auditor.enrich.refresh import RefreshOutcome, diff_catalogs, refresh_catalog
from auditor.enrich.snapshot import (
    catalog_to_dict,
    load_bundled,
    load_snapshot,
    write_snapshot,
)
from auditor.report.plans import (
    catalog_dict,
    catalog_text,
    filter_entries,
    suggest_dict,
    suggest_text,
    to_json,
    verify_text,
)
from auditor.ruleset.load import RuleError


class CommandError(click.ClickException):
    """A usage or configuration problem: one line on stderr, exit 2."""

    exit_code = ExitCode.ERROR


_catalog_option = click.option(
    "--catalog", "catalog_file", type=click.Path(path_type=Path, dir_okay=False),
    default=None, help="Use this snapshot (written by 'catalog refresh') instead of the "
    "bundled one.")


@click.command("suggest")
@click.argument("model_id")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@click.option("--online", is_flag=True,
              help="Check candidates against the live Hugging Face Hub (HF_ENDPOINT, HF_TOKEN).")
@click.option("--prefer", type=click.Choice(PREFER_CHOICES), default=None,
              help="List this replacement family first.")
@_catalog_option
@click.option("--refresh", is_flag=True, help="With --online: ignore the on-disk Hub cache.")
@click.option("--allow-license", "allow_license", multiple=True, metavar="ID",
              help="License ids that pass the license check (repeatable; default: "
              "apache-2.0 and mit).")
def suggest_command(model_id: str, output_format: str, online: bool, prefer: str | None,
                    catalog_file: Path | None, refresh: bool,
                    allow_license: Sequence[str]) -> None:
    """The replacement plan for one Llama MODEL_ID, with every check shown.

    MODEL_ID is anything a scan would recognise: a Hugging Face id, an Ollama tag, a GGUF
    file name, a hosted provider's model id.
    """
    options = EnrichOptions(
        online=online, prefer=prefer, catalog_file=catalog_file, refresh=refresh,
        license_allow=tuple(a.lower() for a in allow_license) or DEFAULT_LICENSE_ALLOW)
    try:
        session = open_session(options)
        query = plan_for_identifier(model_id, session)
    except NotLlamaError as exc:
        raise CommandError(str(exc)) from exc
    except (CatalogError, RuleError) as exc:
        raise CommandError(str(exc)) from exc
    diagnostics = session.hub_diagnostics()
    if output_format == "json":
        click.echo(to_json(suggest_dict(query, session.catalog_date, session.catalog_source,
                                        diagnostics)), nl=False)
    else:
        click.echo(suggest_text(query, session.catalog_source, session.hub is not None,
                                diagnostics), nl=False)


@click.group("catalog")
def catalog_group() -> None:
    """Show, refresh and verify the model catalog (Llama models and replacements)."""


@catalog_group.command("show")
@click.option("--family", default=None, metavar="F",
              help="Only entries whose family or vendor contains F (e.g. gemma, 'Llama 3.1'), "
              "or of kind F (llama, replacement).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@_catalog_option
def catalog_show(family: str | None, output_format: str, catalog_file: Path | None) -> None:
    """Every catalog entry with its facts, unconfirmed marks and sources."""
    catalog = _load(catalog_file)
    entries = filter_entries(catalog, family)
    if not entries:
        raise CommandError(f"no catalog entry matches family {family!r}")
    if output_format == "json":
        click.echo(to_json(catalog_dict(catalog, entries)), nl=False)
    else:
        click.echo(catalog_text(catalog, entries), nl=False)


@catalog_group.command("refresh")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Where to write the new snapshot (default: the cache directory).")
@_catalog_option
def catalog_refresh(output: Path | None, catalog_file: Path | None) -> None:
    """Re-read every entry from the live Hub and write a new dated snapshot file.

    Scans and 'suggest' use it with --catalog FILE.
    """
    catalog = _load(catalog_file)
    outcome = _refresh(catalog)
    target = output or default_cache_dir() / "snapshots" / (
        f"snapshot-{outcome.catalog.snapshot_date}.json")
    try:
        if output is not None:  # the user's path: devices, pipes and links handled there
            write_output(output, json.dumps(catalog_to_dict(outcome.catalog), indent=1,
                                            ensure_ascii=False) + "\n")
        else:
            write_snapshot(outcome.catalog, target)
    except (CatalogError, OutputError) as exc:
        raise CommandError(str(exc)) from exc
    for diagnostic in problems_to_diagnostics(outcome.problems, catalog.source):
        click.echo(f"llama-audit: {diagnostic.code}: {diagnostic.message}", err=True)
    click.echo(f"wrote {target}: {outcome.live} entries live, {outcome.gated} gated, "
               f"{outcome.not_found} not found, {outcome.failed} kept from {catalog.source}",
               err=True)
    click.echo(f"use it with: llama-audit scan --catalog {target}", err=True)


@catalog_group.command("verify")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@_catalog_option
def catalog_verify(output_format: str, catalog_file: Path | None) -> None:
    """Re-check every catalog entry on the live Hub and list what changed.

    Exit 1 when the Hub contradicts a catalog fact; facts the catalog did not know, and
    unconfirmed facts the Hub confirms, are listed but do not fail.
    """
    catalog = _load(catalog_file)
    outcome = _refresh(catalog)
    changes = diff_catalogs(catalog, outcome.catalog)
    diagnostics = problems_to_diagnostics(outcome.problems, catalog.source)
    live_source = outcome.catalog.source
    if output_format == "json":
        click.echo(to_json({
            "catalog_source": catalog.source,
            "live_source": live_source,
            "checked": len(catalog.entries),
            "changes": [{"hub_id": c.hub_id, "kind": c.kind, "field": c.field,
                         "old": _plain(c.old), "new": _plain(c.new), "note": c.note}
                        for c in changes],
            "diagnostics": [{"path": d.path, "code": d.code, "message": d.message}
                            for d in diagnostics],
        }), nl=False)
    else:
        click.echo(verify_text(catalog.source, live_source, len(catalog.entries), changes,
                               diagnostics), nl=False)
    if any(c.kind == "changed" for c in changes):
        sys.exit(ExitCode.FINDINGS)


def _load(catalog_file: Path | None) -> Catalog:
    try:
        return load_snapshot(catalog_file) if catalog_file else load_bundled()
    except CatalogError as exc:
        raise CommandError(str(exc)) from exc


def _refresh(catalog: Catalog) -> RefreshOutcome:
    reason = hub_offline_reason()
    if reason is not None:
        raise CommandError(f"{reason}: this command needs the live Hub")
    try:
        settings = HubSettings.from_env()
        cache = HubCache(default_cache_dir(), ttl_from_env())
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    hub = LiveHub(settings, cache=cache, refresh=True)
    outcome = refresh_catalog(catalog, hub)
    if outcome.live + outcome.gated + outcome.not_found == 0:
        first = outcome.problems[0].message if outcome.problems else "no answer"
        raise CommandError(f"no catalog entry could be read from {settings.endpoint} ({first}); "
                           "nothing written")
    return outcome


def _plain(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value
