"""Long "not swapped" reasons: the parts cards share are numbered notes, shown once (HTML)."""

from __future__ import annotations

import re

from auditor.report.html import render_html
from tests.report.test_markdown_document import big_result


def test_html_cards_refer_to_notes_listed_once() -> None:
    html = render_html(big_result())
    plan = html.split('<section id="plan">', 1)[1].split("</section>", 1)[0]
    # the cards' section has it once (the check appendix keeps each check's own detail)
    assert plan.count("Nearest runtimes that serve these models") == 1
    notes = re.findall(r'<li value="(\d+)">([^<]*)</li>', plan)
    assert notes == [
        ("1", "google/gemma-4-E4B-it, Qwen/Qwen3.5-9B or mistralai/Ministral-3-8B-Instruct-2512"),
        ("2", "Nearest runtimes that serve these models: their Hugging Face ids (vLLM, TGI, "
              "SGLang, Inference Endpoints) or Ollama/GGUF builds. Check the provider&#39;s "
              "current model list first")]
    assert plan.count("does not list the 3 replacements in note 1 on the model list the "
                      "catalog read, so there is no") == 4
    assert "<img" not in html
