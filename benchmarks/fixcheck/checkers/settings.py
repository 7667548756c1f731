"""private-gpt: import every changed module, then load every settings profile the way the app
does (settings.yaml merged with settings-<profile>.yaml, environment defaults applied) and
validate it with the app's own pydantic Settings model. Records, per profile, whether it
validates and the values fix must not touch: llm.mode, llm.prompt_style, embedding.mode."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import import_changed, main_guard, outcome


def check(repo: Path, files: list[str]) -> dict[str, str]:
    result = import_changed(repo, files, ["."])
    profiles = sorted(p.name[len("settings-"):-len(".yaml")] for p in repo.glob("settings-*.yaml"))

    def load(profile: str) -> str:
        from private_gpt.settings.settings import Settings
        from private_gpt.settings.settings_loader import load_settings_from_profile, merge_settings
        merged = merge_settings([load_settings_from_profile("default"),
                                 load_settings_from_profile(profile)])
        s = Settings(**merged)
        return (f"llm.mode={s.llm.mode} prompt_style={s.llm.prompt_style} "
                f"embedding.mode={s.embedding.mode}")

    for profile in ["default", *profiles]:
        result[f"settings profile {profile}"] = outcome(lambda p=profile: load(p))
    return result


if __name__ == "__main__":
    main_guard(check)
