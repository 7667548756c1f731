"""The words of every comment ``fix`` writes into a file.

The first line of each comment starts with ``llama-audit: todo[RULE]`` so a second run finds
it and does not add it again, and so ``grep 'llama-audit: todo'`` lists the work left.
Continuation lines are indented and carry no marker. Comments never repeat the Llama
identifier itself: a scanner reading comments (shell, Dockerfile) would report it again.
"""

from __future__ import annotations

import textwrap

from auditor.fix.model import TODO_MARKER, Choice, NotChosen

WIDTH = 88
CHAT_TEMPLATE_CALL = "apply_chat_template(messages, tokenize=False, add_generation_prompt=True)"


def marker(rule_id: str) -> str:
    return f"{TODO_MARKER}[{rule_id}]"


def comment_lines(rule_id: str, text: str) -> list[str]:
    """``text`` wrapped, first line marked (without the comment leader)."""
    first, *rest = textwrap.wrap(f"{marker(rule_id)} {text}", WIDTH,
                                 break_long_words=False, break_on_hyphens=False) or [""]
    return [first, *(f"  {line}" for line in rest)]


def template_left(advice: str, choice: Choice) -> str:
    """A template selection's manual step: its advice, and why the selection stays when the
    choice says so (in code and in config files alike)."""
    if not isinstance(choice, NotChosen):
        return advice
    return f"{advice.rstrip('.')}; left as it is: {choice.reason}"


def left_swap(rule_id: str, reason: str) -> list[str]:
    hint = "" if "--model" in reason else \
        " Rewrite it with: llama-audit fix --write --model OLD=NEW"
    return comment_lines(rule_id, f"the Llama model named here was not replaced: {reason}."
                         + hint)


def prompt_format(rule_id: str, hub_id: str | None) -> list[str]:
    who = f"the replacement ({hub_id})" if hub_id else "the replacement model"
    load = (f'AutoTokenizer.from_pretrained("{hub_id}")' if hub_id
            else "AutoTokenizer.from_pretrained(<replacement id>)")
    return [
        *comment_lines(rule_id, f"Llama chat markup written by hand; {who} uses its own "
                       "template. Build the prompt from messages with its chat template:"),
        f"    tokenizer = {load}",
        f"    prompt = tokenizer.{CHAT_TEMPLATE_CALL}",
    ]


def token_ids(rule_id: str, ids: list[str]) -> list[str]:
    listed = ", ".join(ids)
    return comment_lines(rule_id, f"{listed} are Llama end-of-text/end-of-turn token ids; other "
                         "tokenizers give these ids other meanings. Use tokenizer.eos_token_id "
                         "(and tokenizer.convert_tokens_to_ids(...) for the new model's "
                         "end-of-turn token).")


def llama_class(name: str, auto: str | None, methods: tuple[str, ...]) -> str:
    """What to do about a use of a Llama class that was not rewritten (one sentence)."""
    if auto is None and "." in name:
        return (f"{name} is Llama-specific transformers code; use the Auto classes "
                "(AutoModelForCausalLM, AutoTokenizer, AutoProcessor)")
    if auto is None:
        return (f"{name} exists only for Llama architectures and has no Auto class "
                "equivalent; port this code to the replacement's classes")
    calls = " or ".join(f"{auto}.{m}(...)" for m in methods)
    return (f"{name} only loads Llama checkpoints and this use cannot be rewritten "
            f"automatically: use {calls}")


def meta_module(rule_id: str, module: str, advice: str) -> list[str]:
    return comment_lines(rule_id, f"{module} exists only for Meta Llama: {advice}.")


def gathered(rule_id: str, what: str) -> list[str]:
    return comment_lines(rule_id, what)
