"""Model artefacts: adapter, checkpoint, tokenizer and generation configs, and GGUF files.

- ``adapter_config.json``: ``base_model_name_or_path`` naming a Llama model -> LA401 (a
  fine-tune bound to Llama: retrain).
- ``config.json`` (Hugging Face shape): ``_name_or_path`` naming a Meta Llama model, or a
  Llama architecture with Llama 3's vocabulary -> LA402; a Llama architecture whose weights
  are not identified as Meta's (TinyLlama, unnamed) -> LA304.
- ``tokenizer_config.json``: a chat template with Llama markers -> LA403.
- ``generation_config.json``: Llama end-of-turn ids as eos/pad ids -> LA404.
- ``*.gguf``: header key/values only (``general.architecture``, ``general.name``...), read
  with a bounded read whatever the file size -> LA405, or LA304 for architecture only.
Every other value of these JSON files goes through the ordinary config rules.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import PurePosixPath

from auditor.details import Details
from auditor.identify.models import identify
from auditor.ruleset.file_tables import FileTables, file_tables
from auditor.ruleset.load import RuleSet
from auditor.ruleset.python_tables import python_tables
from auditor.ruleset.rule_ids import (
    CHAT_TEMPLATE_ARTEFACT,
    CHECKPOINT_CONFIG,
    EOS_IDS_ARTEFACT,
    GGUF_FILE,
)
from auditor.scan.config import ParseFailure, json_document, read_json
from auditor.scan.context import Problem, ScanContext, ScanOutput
from auditor.scan.documents.json_positions import JArray, JObject, JScalar, JString
from auditor.scan.documents.values import (
    RULE_ARCHITECTURE,
    RULE_CONFIG,
    RULE_FINE_TUNE,
    RULE_MARKER,
    RULE_NON_META,
    document_hits,
)
from auditor.scan.gguf import GgufError, GgufHeader, read_gguf_header
from auditor.scan.text.identifiers import prompt_marker_in
from auditor.scan.text.lines import scan_lines
from auditor.scan.text.positions import LineIndex
from auditor.types import Hit, ModelRef, SourceFile

RULE_CHECKPOINT = CHECKPOINT_CONFIG
RULE_CHAT_TEMPLATE = CHAT_TEMPLATE_ARTEFACT
RULE_EOS_IDS = EOS_IDS_ARTEFACT
RULE_GGUF = GGUF_FILE

_EOS_KEYS = ("eos_token_id", "pad_token_id", "stop_token_ids", "eot_token_id")


def scan_artefact(file: SourceFile, text: str, ctx: ScanContext) -> ScanOutput:
    name = PurePosixPath(file.rel).name.lower()
    if name.endswith((".gguf", ".ggml")):
        return scan_gguf(file, ctx)
    try:
        root = read_json(text, file.rel)
    except ParseFailure as exc:
        fallback = scan_lines(text, ctx.ruleset, rule_id=RULE_CONFIG,
                              marker_rule_id=RULE_MARKER, architecture_rule_id=RULE_NON_META)
        return ScanOutput(hits=fallback, problems=[Problem(
            "parse-error", f"{exc}; identifiers found by the line scanner", exc.line)],
            parsed=False)
    index = LineIndex(text)
    ruleset = ctx.ruleset
    hits: list[Hit] = []
    claimed: set[int] = set()
    special_tokens = False
    if isinstance(root, JObject):
        if name == "adapter_config.json":
            hits += _adapter(root, index, ruleset, claimed)
        elif name == "config.json" and (root.get("model_type") or root.get("architectures")):
            hits += _checkpoint(root, index, ruleset, claimed)
            special_tokens = True
        elif name == "tokenizer_config.json":
            hits += _tokenizer(root, text, index, ruleset, claimed)
            special_tokens = True
        elif name == "generation_config.json":
            hits += _generation(root, index, ruleset, claimed)
            special_tokens = True
    hits += document_hits([json_document(root)], text, ruleset, default_rule=RULE_CONFIG,
                          index=index, claimed=frozenset(claimed),
                          markers=not special_tokens, token_ids=not special_tokens)
    return ScanOutput(hits=hits)


def _adapter(root: JObject, index: LineIndex, ruleset: RuleSet,
             claimed: set[int]) -> list[Hit]:
    node = root.get("base_model_name_or_path")
    if not isinstance(node, JString):
        return []
    ref = identify(node.value, ruleset)
    if ref is None:
        return []
    claimed.add(node.start)
    rule = RULE_FINE_TUNE if ref.meta_weights else RULE_NON_META
    peft = root.get("peft_type")
    details: Details = (("key", "base_model_name_or_path"),) + (
        (("peft_type", peft.value),) if isinstance(peft, JString) else ())
    return [_string_hit(rule, node, index, node.value, ref, "base_model_name_or_path", details)]


def _checkpoint(root: JObject, index: LineIndex, ruleset: RuleSet,
                claimed: set[int]) -> list[Hit]:
    tables = file_tables(ruleset)
    classes = python_tables(ruleset).llama_classes
    evidence: list[JString] = []
    model_type = root.get("model_type")
    if isinstance(model_type, JString) and model_type.value.lower() in tables.architecture_names:
        evidence.append(model_type)
    architectures = root.get("architectures")
    if isinstance(architectures, JArray):
        evidence += [n for n in architectures.items
                     if isinstance(n, JString) and n.value in classes]
    evidence.sort(key=lambda n: n.start)
    rope = root.get("rope_scaling")
    rope_type = rope.get("rope_type") if isinstance(rope, JObject) else None
    if isinstance(rope_type, JString) and rope_type.value.lower() in tables.architecture_names:
        claimed.add(rope_type.start)  # "rope_type": "llama3" is part of the checkpoint, not a model
    name = root.get("_name_or_path")
    ref = identify(name.value, ruleset) if isinstance(name, JString) else None
    if isinstance(name, JString) and ref is not None and ref.meta_weights:
        claimed.add(name.start)
        claimed.update(n.start for n in evidence)
        return [_string_hit(RULE_CHECKPOINT, name, index, name.value, ref, "_name_or_path",
                            (("key", "_name_or_path"),))]
    if not evidence:
        return []
    first = evidence[0]
    claimed.update(n.start for n in evidence)
    vocab = _vocab_size(root)
    key = "model_type" if first is model_type else "architectures"
    if vocab in tables.llama3_vocab_sizes:
        return [_string_hit(
            RULE_CHECKPOINT, first, index, first.value, None, key,
            (("key", key), ("evidence", f"vocab_size {vocab} is Llama 3's tokenizer")),
            (("model", f"Llama 3.x ({vocab}-token vocabulary)"),))]
    named = name.value if isinstance(name, JString) else "not named"
    return [_string_hit(RULE_ARCHITECTURE, first, index, first.value, None, key,
                        (("key", key), ("name_or_path", named)))]


def _vocab_size(root: JObject) -> int | None:
    for holder in (root, root.get("text_config")):
        if isinstance(holder, JObject):
            node = holder.get("vocab_size")
            if isinstance(node, JScalar) and isinstance(node.value, int) and \
                    not isinstance(node.value, bool):
                return node.value
    return None


def _tokenizer(root: JObject, text: str, index: LineIndex, ruleset: RuleSet,
               claimed: set[int]) -> list[Hit]:
    node = root.get("chat_template")
    templates: list[JString] = []
    if isinstance(node, JString):
        templates.append(node)
    elif isinstance(node, JArray):  # [{"name": "default", "template": "..."}]
        for item in node.items:
            template = item.get("template") if isinstance(item, JObject) else None
            if isinstance(template, JString):
                templates.append(template)
    hits: list[Hit] = []
    for template in templates:
        claimed.add(template.start)
        marker = prompt_marker_in(template.value, ruleset)
        if marker is None:
            continue
        at = text.find(marker.marker, template.start, template.end)
        start = at if at >= 0 else template.start
        hits.append(_hit(RULE_CHAT_TEMPLATE, index, start, len(marker.marker), marker.marker,
                         None, "chat_template", (("key", "chat_template"),)))
        break
    return hits


def _generation(root: JObject, index: LineIndex, ruleset: RuleSet,
                claimed: set[int]) -> list[Hit]:
    token_ids = python_tables(ruleset).token_ids
    hits: list[Hit] = []
    for key in _EOS_KEYS:
        node = root.get(key)
        items = node.items if isinstance(node, JArray) else [node] if node is not None else []
        found = [n for n in items if isinstance(n, JScalar) and isinstance(n.value, int)
                 and not isinstance(n.value, bool) and n.value in token_ids]
        if not found:
            continue
        claimed.update(n.start for n in found)
        label = ", ".join(str(n.value) for n in found)
        first = found[0]
        hits.append(_hit(RULE_EOS_IDS, index, first.start, first.end - first.start, label,
                         None, key, (("key", key),)))
    return hits


def _string_hit(rule_id: str, node: JString, index: LineIndex, token: str,
                ref: ModelRef | None, context: str, details: Details,
                message_values: tuple[tuple[str, str], ...] = ()) -> Hit:
    offsets = node.raw_offsets()
    start = offsets[0]
    end = offsets[-1]
    hit = _hit(rule_id, index, start, end - start, token, ref, context, details)
    return replace(hit, message_values=message_values) if message_values else hit


def _hit(rule_id: str, index: LineIndex, start: int, length: int, token: str,
         ref: ModelRef | None, context: str, details: Details) -> Hit:
    line, column = index.position(start)
    end_line, end_column = index.position(start + length)
    return Hit(rule_id=rule_id, line=line, column=column, end_line=end_line,
               end_column=end_column, identifier=token, model=ref, context=context,
               details=details)


# --- GGUF -----------------------------------------------------------------------------------

def scan_gguf(file: SourceFile, ctx: ScanContext) -> ScanOutput:
    tables = file_tables(ctx.ruleset)
    problems: list[Problem] = []
    header: GgufHeader | None = None
    is_gguf = file.rel.lower().endswith(".gguf")
    if is_gguf:
        try:
            header = read_gguf_header(file.path, tables.gguf_max_header_bytes,
                                      ("general.architecture", *tables.gguf_name_keys))
        except GgufError as exc:
            problems.append(Problem("gguf-header", f"{exc}; only the file name was checked"))
        except OSError as exc:
            problems.append(Problem("unreadable", f"cannot read the GGUF header: "
                                                  f"{exc.strerror or exc}"))
    metadata = header.metadata if header is not None else {}
    hit = _gguf_hit(PurePosixPath(file.rel).name, metadata, tables, ctx.ruleset)
    return ScanOutput(hits=[hit] if hit is not None else [], problems=problems,
                      parsed=header is not None or not is_gguf)


def gguf_candidates(metadata: dict[str, str | int | float | bool],
                    tables: FileTables) -> list[tuple[str, str]]:
    """(header key, candidate identifier) pairs, most specific first."""
    out: list[tuple[str, str]] = []
    for key in tables.gguf_name_keys:
        value = metadata.get(key)
        if isinstance(value, str) and value.strip() and key not in (
                "general.finetune", "general.size_label", "general.license"):
            out.append((key, value))
    basename = metadata.get("general.basename")
    if isinstance(basename, str):
        parts = [basename] + [str(metadata[k]) for k in ("general.size_label", "general.finetune")
                              if isinstance(metadata.get(k), str)]
        out.insert(0, ("general.basename", "-".join(parts)))
    return out


def _gguf_hit(filename: str, metadata: dict[str, str | int | float | bool],
              tables: FileTables, ruleset: RuleSet) -> Hit | None:
    summary = _summary(metadata)
    license_id = metadata.get("general.license")
    extra: Details = ()
    if isinstance(license_id, str) and license_id.lower() in tables.licenses:
        extra = (("license", license_id.lower()),)
    named: tuple[str, str, ModelRef | None] | None = None
    for key, candidate in gguf_candidates(metadata, tables):
        ref = identify(re.sub(r"\s+", "-", candidate.strip()), ruleset)
        if ref is not None and ref.meta_weights:
            return _gguf(RULE_GGUF, candidate, ref, summary, (("header_key", key), *extra))
        if named is None or (named[2] is None and ref is not None):
            named = (key, candidate, ref)
    ref = identify(filename, ruleset)
    if ref is not None and ref.meta_weights:
        return _gguf(RULE_GGUF, filename, ref, summary, (("header_key", "file name"), *extra))
    if named is not None and named[2] is not None:  # TinyLlama: Llama architecture only
        return _gguf(RULE_NON_META, named[1], named[2], summary, (("header_key", named[0]),))
    architecture = metadata.get("general.architecture")
    if isinstance(architecture, str) and architecture in tables.gguf_architectures and \
            named is None:
        return _gguf(RULE_ARCHITECTURE, f"general.architecture={architecture}", None, summary,
                     (("key", "general.architecture"),))
    return None


def _gguf(rule_id: str, token: str, ref: ModelRef | None, summary: str,
          details: Details) -> Hit:
    if ref is not None and ref.runtime in ("model-name", "huggingface"):
        ref = replace(ref, runtime="gguf")  # the file is a GGUF whatever its header calls it
    return Hit(rule_id=rule_id, line=1, column=1, end_line=1, end_column=1, identifier=token,
               model=ref, context="gguf-header", snippet=summary or "GGUF file",
               details=details)


def _summary(metadata: dict[str, str | int | float | bool]) -> str:
    keys = ("general.architecture", "general.name", "general.basename", "general.size_label",
            "general.license")
    return " ".join(f"{k}={metadata[k]}" for k in keys if k in metadata)
