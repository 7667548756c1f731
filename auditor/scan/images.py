"""Container images listed in the package table's ``docker`` rows (the llama.cpp bindings'
server image), found in ``image:`` settings and Dockerfile ``FROM`` lines and reported like
the package itself: an image is how a deployment depends on it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from auditor.ruleset.load import RuleSet
from auditor.scan.deps.declarations import Declaration, declaration_hits
from auditor.scan.deps.packages import package_table
from auditor.scan.documents.values import ConfigDocument
from auditor.scan.text.positions import LineIndex
from auditor.types import Hit, Span

DOCKER = "docker"
_FROM = re.compile(r"^\s*FROM\s+(?:--platform=\S+\s+)?(?P<image>[^\s$]+)", re.IGNORECASE)


def split_image(reference: str) -> tuple[str, str]:
    """``registry/repo:tag@sha256:...`` → (``registry/repo``, ``tag`` or the digest or "")."""
    name, _, digest = reference.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:  # a tag, not a registry port
        return name[:colon], name[colon + 1:]
    return name, digest


def image_declaration(reference: str, line: int, column: int, context: str,
                      manifest: str) -> Declaration:
    """The image written at ``line``/``column`` (1-based), as a declaration of its name."""
    name, version = split_image(reference)
    return Declaration(name=name, constraint=version,
                       span=Span(line, column, line, column + len(name)),
                       context=context, manifest=manifest)


def document_image_hits(documents: Sequence[ConfigDocument], text: str, ruleset: RuleSet,
                        index: LineIndex, manifest: str) -> list[Hit]:
    """Images named by an ``image:`` setting (compose files, Kubernetes manifests)."""
    declarations: list[Declaration] = []
    for document in documents:
        for item in document.values:
            if item.is_key or item.key != "image" or not isinstance(item.value, str):
                continue
            reference = item.value.strip()
            at = text.find(reference, item.start, item.end) if reference else -1
            if at >= 0:
                declarations.append(image_declaration(reference, *index.position(at),
                                                      item.context, manifest))
    return _hits(declarations, ruleset)


def from_image_hits(lines: Iterable[tuple[int, str, str]], ruleset: RuleSet,
                    manifest: str) -> list[Hit]:
    """Base images of a Dockerfile's ``FROM`` instructions, from the infra scanner's own
    Dockerfile reader: (line number, line, instruction)."""
    declarations: list[Declaration] = []
    for number, code, instruction in lines:
        found = _FROM.match(code) if instruction == "FROM" else None
        if found:
            declarations.append(image_declaration(found.group("image"), number,
                                                  found.start("image") + 1, "FROM", manifest))
    return _hits(declarations, ruleset)


def _hits(declarations: Iterable[Declaration], ruleset: RuleSet) -> list[Hit]:
    hits = declaration_hits(declarations, package_table(ruleset), DOCKER)
    return [replace(h, details=(*h.details, ("ecosystem", DOCKER))) for h in hits]
