"""Where a report's links to lines point: the commit being checked, inside GitHub Actions."""

from __future__ import annotations

from collections.abc import Mapping


def link_base_from_env(env: Mapping[str, str]) -> str | None:
    """The blob URL prefix of the commit being checked, inside GitHub Actions."""
    server = env.get("GITHUB_SERVER_URL")
    repository = env.get("GITHUB_REPOSITORY")
    sha = env.get("GITHUB_SHA")
    if not (server and repository and sha):
        return None
    return f"{server.rstrip('/')}/{repository}/blob/{sha}/"
