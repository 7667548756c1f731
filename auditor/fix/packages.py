"""What replaces each Meta-Llama-only package and the module it provides.

``rules/packages.toml`` says which packages exist only for Meta Llama (class ``replace``);
this table says what to use instead, for the note ``fix`` prints, and which import name ties
code to the package (a package still imported is not removed). Module names are the
packages' import names (PyPI project pages listed in rules/packages.toml); the Haystack one
is from knowledge and marked so.
"""

from __future__ import annotations

from dataclasses import dataclass

OPENAI_COMPATIBLE = ("an OpenAI-compatible client (the openai package with base_url set to "
                     "the new provider's endpoint)")


@dataclass(frozen=True, slots=True)
class PackageMove:
    modules: tuple[str, ...]
    advice: str


_MOVES: dict[str, PackageMove] = {
    "llama-models": PackageMove(
        ("llama_models",),
        "load the replacement and its tokenizer with transformers (AutoModelForCausalLM, "
        "AutoTokenizer) and format prompts with tokenizer.apply_chat_template"),
    "llama-api-client": PackageMove(
        ("llama_api_client",), f"call the new provider through {OPENAI_COMPATIBLE}"),
    "llama-recipes": PackageMove(
        ("llama_recipes",), "fine-tune with a model-agnostic trainer (TRL, Axolotl, torchtune)"),
    "llama-cookbook": PackageMove(
        ("llama_cookbook", "llama_recipes"),
        "fine-tune with a model-agnostic trainer (TRL, Axolotl, torchtune)"),
    "llama-toolchain": PackageMove(
        ("llama_toolchain",), f"serve the replacement with vLLM or Ollama and call it through "
        f"{OPENAI_COMPATIBLE}"),
    "llama-agentic-system": PackageMove(
        ("llama_agentic_system",), f"call the replacement through {OPENAI_COMPATIBLE}"),
    "llama-cmdline": PackageMove((), "use huggingface-cli or ollama pull to fetch the "
                                 "replacement"),
    "llama-index-llms-meta": PackageMove(
        ("llama_index.llms.meta",), "use llama-index-llms-openai-like (OpenAILike) pointed at "
        "the new provider"),
    "meta-llama-haystack": PackageMove(
        ("haystack_integrations.components.generators.meta_llama",),
        "use Haystack's OpenAIChatGenerator with api_base_url set to the new provider "
        "(module name from knowledge)"),
    "llama-prompt-ops": PackageMove(
        ("llama_prompt_ops",), "drop it: prompts for the replacement come from its chat "
        "template"),
}


def move_for(package: str) -> PackageMove:
    """The move for a normalised package name; unknown ones get their import-name guess."""
    known = _MOVES.get(package)
    if known is not None:
        return known
    return PackageMove((package.replace("-", "_"),), "remove the code that uses it and "
                       "load the replacement with transformers or an OpenAI-compatible client")


def advice_for_module(module: str) -> str:
    """Advice for code importing a Meta-Llama-only module (LA104)."""
    for move in _MOVES.values():
        if any(module == m or module.startswith(m + ".") for m in move.modules):
            return move.advice
    return ("remove the code that uses it and load the replacement with transformers or "
            f"{OPENAI_COMPATIBLE}")
