"""Write a deterministic synthetic monorepo for the speed benchmark.

``python benchmarks/generate_monorepo.py OUT --files 20000 --lines 100 --llama-share 0.01``
writes ``files`` files of about ``lines`` lines each (2M lines at the defaults): mostly
ordinary Python, some YAML/JSON/Markdown/requirements, and a ``llama-share`` fraction that
touches Llama (model ids, loaders, prompt formats). Same arguments, same bytes.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

_PLAIN_FUNCS = [
    "def {name}(items, factor={n}):\n    total = 0\n    for item in items:\n"
    "        total += item * factor\n    return total\n",
    "class {cls}:\n    def __init__(self, value={n}):\n        self.value = value\n\n"
    "    def scale(self, k):\n        return self.value * k\n",
    "def {name}(text):\n    words = text.split()\n    return {{w: len(w) for w in words}}\n",
]

_LLAMA_SNIPPETS = [
    'MODEL_ID = "meta-llama/Llama-3.1-8B-Instruct"\n',
    'model = AutoModelForCausalLM.from_pretrained("meta-llama/Llama-3.2-3B-Instruct")\n',
    'reply = ollama.chat("llama3.1:8b", messages=[])\n',
    'PROMPT = "<|begin_of_text|><|start_header_id|>user<|end_header_id|>"\n',
    "from transformers import LlamaForCausalLM\n",
]


def _python_file(rng: random.Random, lines: int, llama: bool) -> str:
    out = ["import os\nimport json\n\n"]
    if llama:
        out.append("import ollama\nfrom transformers import AutoModelForCausalLM\n\n")
    count = 4
    while count < lines:
        template = rng.choice(_PLAIN_FUNCS)
        chunk = template.format(name=f"f{rng.randrange(10**6)}", cls=f"C{rng.randrange(10**6)}",
                                n=rng.randrange(100))
        out.append(chunk + "\n")
        count += chunk.count("\n") + 1
        if llama and rng.random() < 0.05:
            out.append(rng.choice(_LLAMA_SNIPPETS))
            count += 1
    if llama:
        out.append(rng.choice(_LLAMA_SNIPPETS))
    return "".join(out)


def _other_file(rng: random.Random, kind: str, lines: int, llama: bool) -> str:
    if kind == "yaml":
        body = "".join(f"key_{i}: value_{rng.randrange(1000)}\n" for i in range(lines - 1))
        return body + ("model_name: meta-llama/Llama-3.1-8B-Instruct\n" if llama else "end: 1\n")
    if kind == "md":
        body = "".join(f"Paragraph {i} about routers and switches.\n" for i in range(lines - 1))
        return body + ("Run `ollama pull llama3.1`\n" if llama else "The end.\n")
    body = "".join(f"package-{i}>=1.{rng.randrange(9)}\n" for i in range(min(lines, 40) - 1))
    return body + ("llama-models>=0.1\n" if llama else "requests>=2\n")


def generate(out: Path, files: int, lines: int, llama_share: float, seed: int = 7) -> int:
    """Write the tree; return the number of lines written."""
    rng = random.Random(seed)
    total_lines = 0
    for index in range(files):
        package = out / f"service_{index // 500:03d}" / f"module_{(index // 50) % 10:02d}"
        package.mkdir(parents=True, exist_ok=True)
        llama = rng.random() < llama_share
        roll = index % 20
        if roll < 17:
            path = package / f"file_{index:06d}.py"
            text = _python_file(rng, lines, llama)
        elif roll == 17:
            path = package / f"settings_{index:06d}.yaml"
            text = _other_file(rng, "yaml", lines, llama)
        elif roll == 18:
            path = package / f"notes_{index:06d}.md"
            text = _other_file(rng, "md", lines, llama)
        else:
            path = package / f"requirements-{index:06d}.txt"
            text = _other_file(rng, "req", lines, llama)
        path.write_text(text, encoding="utf-8")
        total_lines += text.count("\n")
    return total_lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=20_000)
    parser.add_argument("--lines", type=int, default=100)
    parser.add_argument("--llama-share", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    written = generate(args.out, args.files, args.lines, args.llama_share, args.seed)
    print(f"{args.files} files, {written} lines in {args.out}")


if __name__ == "__main__":
    main()
