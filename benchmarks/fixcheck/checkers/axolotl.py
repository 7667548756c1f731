"""axolotl: import every changed module, then load every changed YAML config the way
`axolotl train` starts (yaml -> DictDefault -> validate_config, axolotl's own pydantic schema,
plugins merged). Records whether each validates and the values fix must not touch (the chat
template selection, the dataset types)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import import_changed, main_guard, outcome


def check(repo: Path, files: list[str]) -> dict[str, str]:
    result = import_changed(repo, files, ["src"])

    def validate(rel: str) -> str:
        import yaml
        from axolotl.utils.config import validate_config
        from axolotl.utils.dict import DictDefault
        raw = yaml.safe_load((repo / rel).read_text(encoding="utf-8"))
        cfg = validate_config(DictDefault(raw))
        types = sorted({str(getattr(d, "type", None) if not isinstance(d, dict) else d.get("type"))
                        for d in (cfg.get("datasets") or [])})
        return f"chat_template={cfg.get('chat_template')} datasets={types}"

    for rel in files:
        if rel.endswith((".yml", ".yaml")) and not rel.startswith((".github/", "docker")):
            result[f"validate {rel}"] = outcome(lambda rel=rel: validate(rel))
    return result


if __name__ == "__main__":
    main_guard(check)
