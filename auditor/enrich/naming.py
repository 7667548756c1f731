"""Name a replacement the way the original was written.

The catalog names a replacement for the finding's runtime (Hugging Face id, Ollama tag, GGUF
repository, provider id). The code may wrap that name: a LiteLLM route prefix
(``ollama_chat/llama3.1:8b``), Ollama's ``hf.co/<repo>:<quant>`` form, a local GGUF file
path, or Vertex AI's resource path (``publishers/meta/models/<model>``, with or without
``projects/<p>/locations/<l>/``). This module keeps the wrapper and swaps only the model part.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from auditor.types import ModelRef

_QUANT = re.compile(
    r"(?i)(?:^|[-_.])(?P<quant>I?Q\d(?:_[A-Z0-9]+)*|BF16|F16|F32)(?=\.gguf$|$|[-_.])")
_HF_HOSTS = ("hf.co/", "huggingface.co/")
_BEDROCK_PROFILE = re.compile(r"(?i)^(us|eu|apac|us-gov|global)\.")
_VERTEX_PATH = re.compile(
    r"^(?P<head>projects/[^/]+/locations/[^/]+/)?(?P<publishers>publishers/)?"
    r"(?P<publisher>[\w.-]+)/(?P<models>models/)?(?P<model>[^/]+)$")


@dataclass(frozen=True, slots=True)
class Shaped:
    text: str
    steps: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Unshapeable:
    reason: str


def routing_prefix(identifier: str, prefixes: Sequence[str]) -> str:
    """The LiteLLM-style ``provider/`` prefix the identifier starts with, as written."""
    lowered = identifier.lower()
    for prefix in sorted(prefixes, key=len, reverse=True):
        if lowered.startswith(prefix) and len(identifier) > len(prefix):
            return identifier[: len(prefix)]
    return ""


def _own_name_prefix(identifier: str, ref: ModelRef) -> str:
    """``fireworks/`` of ``fireworks/accounts/fireworks/models/...``: a router's prefix that
    repeats the provider's name (``identify`` read the id behind it)."""
    if ref.provider and identifier.lower().startswith(f"{ref.provider}/") and \
            ref.runtime not in ("model-name", "huggingface", "ollama"):
        return identifier[: len(ref.provider) + 1]
    return ""


def shape(identifier: str, ref: ModelRef, runtime_name: str,
          prefixes: Sequence[str]) -> Shaped | Unshapeable:
    """``runtime_name`` dressed like ``identifier`` (same route prefix, host, quantisation)."""
    prefix = routing_prefix(identifier, prefixes) or _own_name_prefix(identifier, ref)
    rest = identifier[len(prefix):]
    if ref.runtime == "gguf":
        shaped = _gguf(rest, runtime_name)
        if isinstance(shaped, Unshapeable):
            return shaped
        return Shaped(prefix + shaped.text, shaped.steps)
    if ref.runtime == "vertex-ai":
        return _vertex(prefix, rest, runtime_name)
    if _TEMPLATE_FILE.search(rest.split("?", 1)[0]):
        return Unshapeable(
            f"'{rest}' is a chat template file written for Llama, and {runtime_name} names "
            "no template: use the replacement's own chat template (its tokenizer's, or a file "
            "written for it), then pass --model OLD=NEW")
    if _weights_file(rest) and not _weights_file(runtime_name):
        return Unshapeable(
            f"'{rest}' is a weights file the code reads, and {runtime_name} names no file: "
            "writing it there would load nothing; put the replacement's weights in this "
            "format where the code reads them, then pass --model OLD=NEW")
    steps: tuple[str, ...] = ()
    profile = _BEDROCK_PROFILE.match(rest) if ref.runtime == "bedrock" else None
    if profile is not None and not _BEDROCK_PROFILE.match(runtime_name):
        steps = (f"the original used the cross-region inference profile '{profile.group(0)}': "
                 f"check whether {runtime_name} needs one in your region",)
    return Shaped(prefix + runtime_name, steps)


_TEMPLATE_FILE = re.compile(r"(?i)\.(?:jinja2?|j2)$")
"""A chat template file (vLLM's ``--chat-template``): Llama's prompt format, not a model."""

_WEIGHT_FILE = re.compile(r"(?i)\.(?:bin|safetensors|pth|pt|ckpt)$")
"""A weights file in a format other than GGUF (which ``_gguf`` names file for file)."""


def _weights_file(name: str) -> bool:
    """Does ``name`` (a path, a URL or a bare file name) end in a weights file?"""
    return _WEIGHT_FILE.search(name.split("?", 1)[0]) is not None


def _vertex(prefix: str, rest: str, model_id: str) -> Shaped:
    """``publisher/model`` (the catalog's Vertex AI id) in the original's form: the OpenAI
    compatible ``publisher/model``, or the ``[projects/p/locations/l/]publishers/p/models/m``
    resource path. A location written in the path is kept, with a step to check it."""
    original, replacement = _VERTEX_PATH.match(rest), _VERTEX_PATH.match(model_id)
    if original is None or replacement is None or not original.group("models"):
        return Shaped(prefix + model_id)
    head = original.group("head") or ""
    steps = ((f"the original names the location in '{head.rstrip('/')}': check that "
              f"{model_id} is served in that location (Vertex AI lists each model's "
              "regions)",) if head else ())
    return Shaped(f"{prefix}{head}{original.group('publishers') or ''}"
                  f"{replacement.group('publisher')}/models/{replacement.group('model')}", steps)


def _gguf(rest: str, repo: str) -> Shaped | Unshapeable:
    host = next((h for h in _HF_HOSTS if rest.lower().startswith(h)), "")
    if host:
        body = rest[len(host):]
        _, _, quant = body.partition(":")
        return Shaped(rest[: len(host)] + repo + (f":{quant}" if quant else ""))
    if not rest.lower().endswith(".gguf"):
        if "/" in rest:
            return Shaped(repo)
        return Unshapeable(f"'{rest}' is neither a GGUF repository nor a .gguf file name")
    cut = max(rest.rfind("/"), rest.rfind("\\"))
    folder, name = rest[: cut + 1], rest[cut + 1:]
    match = _QUANT.search(name)
    if match is None:
        return Unshapeable(f"the GGUF file name '{name}' has no quantisation label to keep")
    quant = match.group("quant").upper()
    stem = repo.rsplit("/", 1)[-1]
    if stem.lower().endswith("-gguf"):
        stem = stem[: -len("-gguf")]
    new_name = f"{stem}-{quant}.gguf"
    check = (f"the name {new_name} is not checked (the catalog does not list the files of "
             f"{repo}, and uploaders name quantisations differently): check it in "
             f"https://huggingface.co/{repo}/tree/main")
    if not folder:  # a file in a repository (hf_hub_download's filename), or of the cwd
        return Shaped(new_name, (check + "; if the code reads it from disk, download it "
                                 f"(huggingface-cli download {repo} --include "
                                 f"'*{quant}*.gguf' --local-dir .)",))
    where = folder.rstrip("/\\")
    step = (f"download {new_name} from https://huggingface.co/{repo} into {where} "
            f"(huggingface-cli download {repo} --include '*{quant}*.gguf' --local-dir {where}); "
            + check)
    return Shaped(folder + new_name, (step,))
