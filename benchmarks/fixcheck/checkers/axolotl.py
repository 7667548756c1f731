"""axolotl: import every changed module and record what it defines (the names it defines
itself, not its imports, and the keys of its module-level dicts: prompt and processing
strategies are found by name), the chat-template registry (`_CHAT_TEMPLATES`, filled from
templates/*.jinja, and the `ChatTemplate` enum the config schema accepts), then load every
changed YAML config the way `axolotl train` starts (yaml -> DictDefault -> validate_config,
axolotl's own pydantic schema, plugins merged), recording whether it validates and its chat
template and dataset types."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import hashlib
import importlib

from common import digest, import_changed, main_guard, module_name, outcome


def check(repo: Path, files: list[str]) -> dict[str, str]:
    roots = ["src", "."]
    result = import_changed(repo, files, roots)

    def surface(name: str) -> str:
        module = importlib.import_module(name)
        items = []
        for attr in dir(module):
            if attr.startswith("__"):
                continue
            value = getattr(module, attr)
            if getattr(value, "__module__", name) != name or isinstance(value, type(module)):
                continue  # imported: renaming an import to the Auto class is the intended change
            items.append(attr)
            if isinstance(value, dict):
                items.extend(f"{attr}[{k!r}]" for k in value)
        return digest(items)

    for rel in files:
        name = module_name(repo, rel, roots) if rel.endswith(".py") else None
        if name and result.get(f"import {rel}") == "ok":
            result[f"defines {rel}"] = outcome(lambda name=name: surface(name))

    def chat_templates() -> str:
        from axolotl.utils.chat_templates.base import _CHAT_TEMPLATES
        return digest(f"{k}:{hashlib.sha1(v.encode()).hexdigest()}"
                      for k, v in _CHAT_TEMPLATES.items())

    def chat_template_enum() -> str:
        from axolotl.utils.schemas.enums import ChatTemplate
        return digest(f"{m.name}={m.value}" for m in ChatTemplate)

    result["chat template registry"] = outcome(chat_templates)
    result["ChatTemplate enum"] = outcome(chat_template_enum)

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
