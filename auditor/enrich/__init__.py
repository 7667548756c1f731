"""The model catalog: Llama models, replacement candidates, and checked migration plans.

Public API used by the scan pipeline::

    from auditor.enrich import EnrichOptions, enrich
    result = enrich(findings, EnrichOptions(online=False))

``enrich`` never raises for Hub problems (they become ``result.diagnostics``); it raises
``CatalogError`` (a ValueError) only for configuration errors such as an unreadable
``--catalog`` file.
"""

from __future__ import annotations

from auditor.enrich.attach import (
    DEFAULT_LICENSE_ALLOW,
    EnrichOptions,
    EnrichResult,
    Session,
    enrich,
    open_session,
)
from auditor.enrich.entries import Catalog, CatalogEntry, CatalogError, KnownDerivative
from auditor.enrich.snapshot import (
    BUNDLED_SNAPSHOT_DATE,
    load_bundled,
    load_snapshot,
    write_snapshot,
)

__all__ = [
    "BUNDLED_SNAPSHOT_DATE",
    "DEFAULT_LICENSE_ALLOW",
    "Catalog",
    "CatalogEntry",
    "CatalogError",
    "EnrichOptions",
    "EnrichResult",
    "KnownDerivative",
    "Session",
    "enrich",
    "load_bundled",
    "load_snapshot",
    "open_session",
    "write_snapshot",
]
