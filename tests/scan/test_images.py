"""The llama.cpp bindings' server image is that package's dependency (LA203, keep), in compose
files, Kubernetes manifests and Dockerfiles; other images (the C++ llama.cpp images included,
as the kinds fixture has it) are nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.scan.images import split_image
from auditor.scan.runner import scan_paths
from tests.report.test_cyclonedx import assert_valid as assert_valid_bom

COMPOSE = (
    "services:\n"
    "  api:\n"
    "    image: ghcr.io/abetlen/llama-cpp-python:latest@sha256:" + "b6" * 32 + "\n"
    "  server:\n"
    "    image: \"ghcr.io/ggml-org/llama.cpp:server\"\n"
    "  db:\n"
    "    image: postgres:16\n"
    "  web:\n"
    "    image: ghcr.io/example/llama-chat-ui:1.0\n"
)
DOCKERFILE = (
    "FROM ghcr.io/abetlen/llama-cpp-python:v0.3.2 AS build\n"
    "FROM --platform=linux/amd64 python:3.11-slim\n"
    "COPY --from=build /app /app\n"
)


def rows(root: Path) -> list[tuple[str, str, int, int, str | None, str, str]]:
    return [(f.path, f.rule_id, f.line, f.column, f.identifier, f.severity,
             f.detail("constraint") or "") for f in scan_paths([root]).findings]


def test_runtime_images_in_compose_and_dockerfile(tmp_path: Path) -> None:
    (tmp_path / "docker-compose.yml").write_text(COMPOSE, encoding="utf-8")
    (tmp_path / "Dockerfile").write_text(DOCKERFILE, encoding="utf-8")
    assert rows(tmp_path) == [
        ("Dockerfile", "LA203", 1, 6, "ghcr.io/abetlen/llama-cpp-python", "low", "v0.3.2"),
        ("docker-compose.yml", "LA203", 3, 12, "ghcr.io/abetlen/llama-cpp-python", "low",
         "latest"),
    ]


def test_kubernetes_container_image(tmp_path: Path) -> None:
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "deploy.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: llm\n"
        "          image: ghcr.io/abetlen/llama-cpp-python:latest\n", encoding="utf-8")
    assert rows(tmp_path) == [
        ("k8s/deploy.yaml", "LA203", 8, 18, "ghcr.io/abetlen/llama-cpp-python", "low",
         "latest"),
    ]


@pytest.mark.parametrize(("reference", "expected"), [
    ("ghcr.io/ggml-org/llama.cpp:server", ("ghcr.io/ggml-org/llama.cpp", "server")),
    ("localhost:5000/llama.cpp", ("localhost:5000/llama.cpp", "")),
    ("localhost:5000/llama.cpp:v1", ("localhost:5000/llama.cpp", "v1")),
    ("repo/img@sha256:abc", ("repo/img", "sha256:abc")),
    ("repo/img:1.0@sha256:abc", ("repo/img", "1.0")),
])
def test_split_image(reference: str, expected: tuple[str, str]) -> None:
    assert split_image(reference) == expected


def test_cyclonedx_gives_docker_purls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      run_cli: Any) -> None:
    (tmp_path / "docker-compose.yml").write_text(COMPOSE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    done = run_cli(["scan", ".", "--no-config", "--no-cache", "--format", "cyclonedx",
                    "--exit-zero"])
    assert done.code == 0
    assert_valid_bom(done.out)
    assert sorted(c["purl"] for c in json.loads(done.out)["components"]) == [
        "pkg:docker/abetlen/llama-cpp-python?repository_url=ghcr.io",
    ]
