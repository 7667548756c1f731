"""Screenshots and printed PDFs of reports people read, saved under ``test-artifacts/``: one
large real repository (meta-llama/llama-cookbook, when checked out at LLAMA_AUDIT_LARGE_REPO,
default /work/accuracy/llama-cookbook; its content is never committed) and a merged
five-repository report. Each report shows one card per model (screenshot of the first card
too); the printed document keeps every finding (each line in the appendix), has no raw
``key: value`` dump, and stays within 30 pages for llama-cookbook."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from auditor.report.effort import finding_root
from auditor.report.html import render_html
from auditor.report.summary import join_root, migration_plans
from auditor.serialize import result_from_dict
from auditor.types import AuditResult
from tests.conftest import PROJECT
from tests.report.test_html import RAW_DUMP, printed_findings, visible_text_outside_code
from tests.report_browser import (
    PageSession,
    find_chromium,
    full_page_screenshot,
    open_page,
    print_to_pdf,
)

ARTIFACTS = PROJECT / "test-artifacts"
LARGE_REPO = Path(os.environ.get("LLAMA_AUDIT_LARGE_REPO", "/work/accuracy/llama-cookbook"))
CHROMIUM = find_chromium()
MAX_COOKBOOK_PAGES = 32
"""The issue's target is about 30 printed pages (it was 277); measured: 29, then 35 once
documentation code blocks and commented-out code were reported by default (issue 18 item 4:
about 180 more info findings), then 31 with documentation files on one line per card and the
column headings printed once."""

CARDS_STATE = """
JSON.stringify([...document.querySelectorAll("#plan .card.model")].map(card => {
  const box = card.getBoundingClientRect();
  return {visible: getComputedStyle(card).display !== "none" && box.height > 0,
          uses: card.querySelectorAll("table.uses tbody tr").length
                + card.querySelectorAll("p.docs-uses code").length};
}))
"""

pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")]


def pdf_pages(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", path.read_bytes()))


def shoot(html: str, name: str, tmp_path: Path) -> tuple[int, list[dict[str, object]]]:
    """Screenshots (the whole page and the first model card) and the printed PDF of ``html``
    under test-artifacts/; the PDF's page count and each model card's state on paper."""
    page = tmp_path / f"{name}.html"
    page.write_text(html, encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    assert CHROMIUM is not None
    with open_page(CHROMIUM, page.as_uri()) as session:
        full_page_screenshot(session, ARTIFACTS / f"{name}.png")
        element_screenshot(session, "#model-1", ARTIFACTS / f"{name}-model-card.png")
        session.call("Emulation.setEmulatedMedia", {"media": "print"})
        cards = json.loads(session.evaluate(CARDS_STATE))
        print_to_pdf(session, ARTIFACTS / f"{name}.pdf")
        assert session.console_errors() == []
    assert (ARTIFACTS / f"{name}.png").read_bytes().startswith(b"\x89PNG")
    assert (ARTIFACTS / f"{name}-model-card.png").read_bytes().startswith(b"\x89PNG")
    return pdf_pages(ARTIFACTS / f"{name}.pdf"), cards


def element_screenshot(session: PageSession, selector: str, path: Path) -> None:
    box = json.loads(session.evaluate(
        f"JSON.stringify(document.querySelector({json.dumps(selector)})"
        ".getBoundingClientRect())"))
    clip = {"x": box["x"], "y": box["y"] + session.evaluate("window.scrollY"),
            "width": box["width"], "height": box["height"], "scale": 1}
    shot = session.call("Page.captureScreenshot",
                        {"format": "png", "clip": clip, "captureBeyondViewport": True})
    path.write_bytes(base64.b64decode(shot["data"]))


def check_cards(result: AuditResult, html: str, cards: list[dict[str, object]]) -> None:
    """One card per model, each printed with every file that uses the model (a table row, or
    one entry of the line of documentation files)."""
    plans = migration_plans(result)
    assert len(cards) == len(plans)
    assert cards == [{"visible": True, "uses": len(plan.files)} for plan in plans]
    assert printed_findings(html) == sorted(
        (f.path if len(result.roots) == 1 else join_root(finding_root(f, result), f.path),
         f.line, f.rule_id)
        for f in result.findings)


@pytest.mark.skipif(not (LARGE_REPO / ".git").exists() and not LARGE_REPO.is_dir(),
                    reason=f"no checkout of llama-cookbook at {LARGE_REPO}")
def test_large_real_repository_report(tmp_path: Path, run_cli,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    saved = tmp_path / "cookbook.json"
    done = run_cli(["scan", str(LARGE_REPO), "--format", "json", "-o", str(saved),
                    "--exit-zero", "-q"])
    assert done.code == 0, done.err
    result = result_from_dict(json.loads(saved.read_text()))
    html = render_html(result)
    assert RAW_DUMP.findall(visible_text_outside_code(html)) == []
    pages, cards = shoot(html, "llama-cookbook-report", tmp_path)
    check_cards(result, html, cards)
    with capsys.disabled():
        print(f"\nllama-cookbook: {len(result.findings)} findings, {len(cards)} model cards, "
              f"printed PDF {pages} pages")
    assert 5 <= pages <= MAX_COOKBOOK_PAGES


def test_merged_five_repository_report(tmp_path: Path, run_cli,
                                       monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    models = ["meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Llama-3.3-70B-Instruct",
              "meta-llama/Llama-3.2-11B-Vision-Instruct", "llama3.1:8b",
              "meta-llama/Llama-Guard-3-8B"]
    saved = []
    for number, model in enumerate(models):
        repo = tmp_path / f"service-{number + 1}"
        (repo / "app").mkdir(parents=True)
        subprocess.run(["git", "init", "-q", str(repo)], check=True)
        subprocess.run(["git", "-C", str(repo), "remote", "add", "origin",
                        f"https://github.com/acme/service-{number + 1}.git"], check=True)
        (repo / "app" / "model.py").write_text(f'MODEL = "{model}"\n' * (number + 1))
        monkeypatch.chdir(repo)
        out = tmp_path / f"service-{number + 1}.json"
        assert run_cli(["scan", ".", "--format", "json", "-o", str(out), "--exit-zero",
                        "-q"]).code == 0
        saved.append(str(out))
    monkeypatch.chdir(tmp_path)
    done = run_cli(["merge", *saved, "--format", "html"])
    assert done.code == 0, done.err
    html = done.out
    assert html.count("<tr><td><strong>service-") == 5
    assert RAW_DUMP.findall(visible_text_outside_code(html)) == []
    pages, cards = shoot(html, "merged-five-repositories-report", tmp_path)
    check_cards(result_from_dict(json.loads(run_cli(["merge", *saved, "--format", "json"]).out)),
                html, cards)
    # llama3.1:8b (Ollama) is the same Meta model as Llama-3.1-8B-Instruct: one card, two
    # repositories' files
    assert cards[0] == {"visible": True, "uses": 2} and len(cards) == 4
    with capsys.disabled():
        print(f"\nmerged five repositories: printed PDF {pages} pages")
    assert pages >= 3
