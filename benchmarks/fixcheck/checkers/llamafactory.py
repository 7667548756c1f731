"""LLaMA-Factory: import every changed module, then run its registration code: the chat-template
registry (every register_template call in data/template.py), the multimodal plugin registry and
the model registry in extras/constants.py (register_model_group), recording names, each
template's formats and plugin, and the registry keys: what fix must not change."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import digest, import_changed, main_guard, outcome


def check(repo: Path, files: list[str]) -> dict[str, str]:
    result = import_changed(repo, files, ["src"])

    def templates() -> str:
        from llamafactory.data.template import TEMPLATES
        rows = []
        for name, tpl in TEMPLATES.items():
            plugin = type(tpl.mm_plugin).__name__
            rows.append(f"{name}|{tpl.format_user}|{tpl.format_assistant}|{tpl.format_system}|"
                        f"{tpl.stop_words}|{tpl.default_system}|{plugin}")
        return digest(rows)

    def template_names() -> str:
        from llamafactory.data.template import TEMPLATES
        return digest(TEMPLATES)

    def plugins() -> str:
        from llamafactory.data.mm_plugin import PLUGINS
        return digest(PLUGINS)

    def model_keys() -> str:
        from llamafactory.extras.constants import SUPPORTED_MODELS
        return digest(SUPPORTED_MODELS)

    def default_templates() -> str:
        from llamafactory.extras.constants import DEFAULT_TEMPLATE
        return digest(f"{k}={v}" for k, v in DEFAULT_TEMPLATE.items())

    def every_template_name_resolves() -> str:
        from llamafactory.data.template import TEMPLATES
        from llamafactory.extras.constants import DEFAULT_TEMPLATE
        missing = sorted({v for v in DEFAULT_TEMPLATE.values() if v not in TEMPLATES})
        return f"{len(missing)} model groups name a missing template {missing[:5]}"

    for key, fn in (("template registry (names, formats, plugin)", templates),
                    ("template names", template_names), ("mm plugin registry", plugins),
                    ("model registry keys", model_keys),
                    ("model group -> template", default_templates),
                    ("model groups whose template is registered", every_template_name_resolves)):
        result[key] = outcome(fn)
    return result


if __name__ == "__main__":
    main_guard(check)
