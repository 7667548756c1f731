"""Hand-built results for the report tests: every kind of finding, plus hostile input.

They are built from the data model directly so the renderers are tested independently of the
scanners; the end-to-end tests scan fixtures through the CLI.
"""

from __future__ import annotations

from auditor.types import (
    AuditResult,
    Category,
    Check,
    Diagnostic,
    Effort,
    Finding,
    ModelRef,
    ScanStats,
    Severity,
    Suggestion,
    ToolInfo,
)

XSS_SCRIPT = "<script>alert('xss')</script>"
XSS_ATTR = '"><img src=x onerror="alert(1)">'
XSS_PATH = "src/<script>boom</script>.py"

TOOL = ToolInfo(
    name="llama-audit",
    version="0.1.0",
    rules_version="abc123def456",
    catalog_date="2026-11-22",
    catalog_source="snapshot 2026-11-22",
)

LLAMA_31_8B_INSTRUCT = ModelRef(
    family="Llama 3.1",
    variant="instruct",
    runtime="huggingface",
    size="8B",
    params_b=8.0,
    active_params_b=8.0,
    canonical_id="meta-llama/Llama-3.1-8B-Instruct",
)

LLAMA_31_8B_OLLAMA = ModelRef(
    family="Llama 3.1",
    variant="instruct",
    runtime="ollama",
    size="8B",
    params_b=8.0,
    canonical_id="meta-llama/Llama-3.1-8B-Instruct",
)

LLAMA_2_13B_CHAT_GGUF = ModelRef(
    family="Llama 2",
    variant="instruct",
    runtime="gguf",
    size="13B",
    params_b=13.0,
    canonical_id="meta-llama/Llama-2-13b-chat-hf",
)

SOURCE = "snapshot 2026-11-22"


def _checks(context: str = "131072") -> tuple[Check, ...]:
    return (
        Check("exists", True, "google/gemma-4-E4B-it is on the Hub"),
        Check("license", True, "apache-2.0 (no Llama obligations)"),
        Check("gated", True, "not gated"),
        Check("size-class", True, "8.0B total / 4.5B effective, within 2x of 8B"),
        Check("context-length", True, f"{context} tokens >= 131072"),
        Check("format", None, "no GGUF repo confirmed for this runtime"),
    )


GEMMA_HF = Suggestion(
    hub_id="google/gemma-4-E4B-it",
    family="Gemma 4",
    runtime_name="google/gemma-4-E4B-it",
    reason="closest size class (8B) with an instruct variant and Apache-2.0 license",
    checks=_checks(),
    source=SOURCE,
    license="apache-2.0",
)
QWEN_HF = Suggestion(
    hub_id="Qwen/Qwen3-8B",
    family="Qwen",
    runtime_name="Qwen/Qwen3-8B",
    reason="same parameter count, Apache-2.0",
    checks=(
        Check("exists", True, "Qwen/Qwen3-8B is on the Hub"),
        Check("license", True, "apache-2.0"),
        Check("context-length", False, "32768 tokens < 131072"),
    ),
    source=SOURCE,
    license="apache-2.0",
)
GEMMA_OLLAMA = Suggestion(
    hub_id="google/gemma-4-E4B-it",
    family="Gemma 4",
    runtime_name="gemma4:e4b",
    reason="Ollama tag of the closest Gemma 4 size",
    checks=_checks(),
    source=SOURCE,
    license="apache-2.0",
)


def demo_findings(root: str = "demo") -> tuple[Finding, ...]:
    return (
        Finding(
            rule_id="LA101",
            category=Category.MODEL_REFERENCE,
            severity=Severity.HIGH,
            effort=Effort.SWAP,
            path="app/chat.py",
            line=3,
            column=12,
            end_line=3,
            end_column=44,
            message=("Llama model 'meta-llama/Llama-3.1-8B-Instruct' (Llama 3.1 8B instruct) "
                     "is named here"),
            snippet='MODEL_ID = "meta-llama/Llama-3.1-8B-Instruct"',
            identifier="meta-llama/Llama-3.1-8B-Instruct",
            model=LLAMA_31_8B_INSTRUCT,
            context="<module>",
            suggestions=(GEMMA_HF, QWEN_HF),
            root=root,
        ),
        Finding(
            rule_id="LA102",
            category=Category.LOADER,
            severity=Severity.HIGH,
            effort=Effort.SWAP,
            path="app/chat.py",
            line=9,
            column=13,
            end_line=9,
            end_column=54,
            message="ollama.chat loads Llama model 'llama3.1:8b' (Llama 3.1 8B instruct)",
            snippet='reply = ollama.chat("llama3.1:8b", messages=history)',
            identifier="llama3.1:8b",
            model=LLAMA_31_8B_OLLAMA,
            context="answer",
            suggestions=(GEMMA_OLLAMA,),
            root=root,
        ),
        Finding(
            rule_id="LA104",
            category=Category.PROMPT_FORMAT,
            severity=Severity.MEDIUM,
            effort=Effort.ADAPT,
            path="app/prompts.py",
            line=2,
            column=10,
            end_line=2,
            end_column=38,
            message="Hand-written Llama 3 chat template token '<|start_header_id|>'",
            snippet='HEADER = "<|start_header_id|>system<|end_header_id|>"',
            identifier="<|start_header_id|>",
            context="<module>",
            root=root,
        ),
        Finding(
            rule_id="LA103",
            category=Category.LLAMA_API,
            severity=Severity.MEDIUM,
            effort=Effort.ADAPT,
            path="notebooks/explore.ipynb",
            line=27,
            column=5,
            end_line=27,
            end_column=21,
            message="Llama-specific class LlamaForCausalLM",
            snippet="model = LlamaForCausalLM.from_pretrained(path)",
            identifier="LlamaForCausalLM",
            context="cell 2",
            cell=2,
            cell_line=3,
            root=root,
        ),
        Finding(
            rule_id="LA201",
            category=Category.DEPENDENCY,
            severity=Severity.HIGH,
            effort=Effort.ADAPT,
            path="requirements.txt",
            line=4,
            column=1,
            end_line=4,
            end_column=21,
            message="Package llama-models exists only for Meta Llama",
            snippet="llama-models==0.1.4",
            identifier="llama-models",
            details=(("package", "llama-models"), ("constraint", "==0.1.4"), ("direct", "true"),
                     ("manifest", "requirements.txt"), ("class", "replace"),
                     ("reason", "Meta's Llama model definitions and prompt formats")),
            root=root,
        ),
        Finding(
            rule_id="LA203",
            category=Category.DEPENDENCY,
            severity=Severity.LOW,
            effort=Effort.KEEP,
            path="requirements.txt",
            line=5,
            column=1,
            end_line=5,
            end_column=25,
            message="llama-cpp-python is a runtime that serves any GGUF model",
            snippet="llama-cpp-python>=0.3.2",
            identifier="llama-cpp-python",
            details=(("package", "llama-cpp-python"), ("constraint", ">=0.3.2"),
                     ("direct", "true"), ("manifest", "requirements.txt"), ("class", "keep")),
            root=root,
        ),
        Finding(
            rule_id="LA301",
            category=Category.MODEL_REFERENCE,
            severity=Severity.HIGH,
            effort=Effort.SWAP,
            path="config/serve.yaml",
            line=3,
            column=10,
            end_line=3,
            end_column=40,
            message="Llama model 'llama-2-13b-chat.Q5_K_M.gguf' in config key model.path",
            snippet="  path: ./models/llama-2-13b-chat.Q5_K_M.gguf",
            identifier="./models/llama-2-13b-chat.Q5_K_M.gguf",
            model=LLAMA_2_13B_CHAT_GGUF,
            context="model.path",
            root=root,
        ),
        Finding(
            rule_id="LA401",
            category=Category.FINE_TUNE,
            severity=Severity.MEDIUM,
            effort=Effort.RETRAIN,
            path="adapters/support-bot/adapter_config.json",
            line=4,
            column=26,
            end_line=4,
            end_column=60,
            message="LoRA adapter trained on Llama base 'meta-llama/Llama-3.1-8B-Instruct'",
            snippet='"base_model_name_or_path": "meta-llama/Llama-3.1-8B-Instruct",',
            identifier="meta-llama/Llama-3.1-8B-Instruct",
            model=LLAMA_31_8B_INSTRUCT,
            context="base_model_name_or_path",
            suggestions=(GEMMA_HF,),
            root=root,
        ),
        Finding(
            rule_id="LA402",
            category=Category.LICENSE,
            severity=Severity.MEDIUM,
            effort=Effort.ADAPT,
            path="LICENSE-LLAMA",
            line=1,
            column=1,
            end_line=1,
            end_column=42,
            message="Llama 3.1 Community License text (obligations apply)",
            snippet="LLAMA 3.1 COMMUNITY LICENSE AGREEMENT",
            identifier="LLAMA 3.1 COMMUNITY LICENSE AGREEMENT",
            details=(("license", "llama3.1"),),
            root=root,
        ),
    )


def hostile_findings(root: str = "demo") -> tuple[Finding, ...]:
    """Identifiers, paths, snippets and contexts written by an attacker."""
    return (
        Finding(
            rule_id="LA101",
            category=Category.MODEL_REFERENCE,
            severity=Severity.HIGH,
            effort=Effort.SWAP,
            path=XSS_PATH,
            line=1,
            column=7,
            end_line=1,
            end_column=40,
            message=f"Llama model 'meta-llama/Llama-3.1-8B{XSS_SCRIPT}' is named here",
            snippet=f'M = "meta-llama/Llama-3.1-8B{XSS_SCRIPT}"  # {XSS_ATTR}',
            identifier=f"meta-llama/Llama-3.1-8B{XSS_ATTR}",
            model=LLAMA_31_8B_INSTRUCT,
            context=XSS_ATTR,
            suggestions=(
                Suggestion(
                    hub_id=f"evil/{XSS_SCRIPT}",
                    family="Gemma 4",
                    runtime_name=XSS_ATTR,
                    reason=XSS_SCRIPT,
                    checks=(Check("exists", False, XSS_ATTR),),
                    source=SOURCE,
                ),
            ),
            root=root,
        ),
    )


def demo_diagnostics(root: str = "demo") -> tuple[Diagnostic, ...]:
    return (
        Diagnostic(path="legacy/py2.py", code="parse-error",
                   message="not Python 3 (line 3: print 'x'); scanned line by line", line=3,
                   root=root),
        Diagnostic(path="weights/model.bin", code="binary", message="binary file skipped",
                   root=root),
    )


def sample_result(*, hostile: bool = False, root: str = "demo") -> AuditResult:
    findings = demo_findings(root) + (hostile_findings(root) if hostile else ())
    return AuditResult(
        tool=TOOL,
        roots=(root,),
        findings=tuple(sorted(findings, key=lambda f: f.sort_key)),
        diagnostics=demo_diagnostics(root),
        stats=ScanStats(
            files_discovered=14,
            files_scanned=12,
            files_parsed=11,
            files_skipped=2,
            files_by_kind=(("config", 1), ("manifest", 1), ("notebook", 1), ("python", 3)),
            duration_seconds=0.42,
        ),
    )


def empty_result() -> AuditResult:
    return AuditResult(tool=TOOL, roots=(".",), findings=())
