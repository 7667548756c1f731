"""The HTML report in a real browser: headless Chromium renders it, every section is visible,
the console stays clean, and an XSS payload from a scanned file shows as text.

Needs the Debian ``chromium`` package (``.ci/run`` installs it); skipped only when no Chromium
is installed. The screenshot and a printed PDF are saved under ``test-artifacts/``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.report.html import render_html
from auditor.serialize import result_from_dict
from tests.conftest import PROJECT
from tests.report_browser import find_chromium, full_page_screenshot, open_page, print_to_pdf

ARTIFACTS = PROJECT / "test-artifacts"
SECTIONS = {
    "summary": "Executive summary",
    "licenses": "License exposure",
    "effort": "Effort breakdown",
    "plan": "Migration plan: one card per model",
    "other": "Other findings: packages, APIs, prompt formats, licenses",
    "findings": "Appendix: every finding, by file",
    "checks": "Appendix: every Hub check",
    "diagnostics": "Files not fully scanned",
}
PAYLOAD = "<script>alert('xss')</script>"
HOSTILE_NAME = 'evil"><img src=x onerror=alert(1)>.py'

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")

SECTION_STATE = """
JSON.stringify(Object.fromEntries(%s.map(id => {
  const el = document.getElementById(id);
  if (!el) return [id, null];
  const box = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  const heading = el.querySelector("h2");
  return [id, {visible: style.display !== "none" && style.visibility !== "hidden"
                        && box.width > 0 && box.height > 0,
               heading: heading ? heading.innerText : null}];
})))
"""

ACTIVE_CONTENT = """
JSON.stringify({
  scripts: document.scripts.length,
  images: document.images.length,
  handlers: [...document.querySelectorAll("*")].flatMap(
      el => [...el.attributes].filter(a => a.name.startsWith("on")).map(a => a.name)),
  text: document.body.innerText,
})
"""


@pytest.fixture
def hostile_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "client-repo"
    (repo / "app").mkdir(parents=True)
    (repo / "app" / HOSTILE_NAME).write_text(
        f'MODEL_ID = "meta-llama/Llama-3.1-8B-Instruct"  # {PAYLOAD}\n', encoding="utf-8")
    # Python 2 cannot be parsed: the report lists it under "Files not fully scanned"
    (repo / "app" / "legacy.py").write_text('print "llama-2-7b"\n', encoding="utf-8")
    return repo


def test_html_report_renders_in_chromium(run_cli, hostile_repo: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(PROJECT)
    saved = tmp_path / "result.json"
    run = run_cli(["scan", "fixtures/demo", str(hostile_repo), "--format", "json",
                   "-o", str(saved), "--quiet"])
    assert run.code == 1, run.err
    result = result_from_dict(json.loads(saved.read_text()))
    hostile = [f for f in result.findings if f.path == f"app/{HOSTILE_NAME}"]
    assert hostile and PAYLOAD in hostile[0].snippet, "the scan must carry the payload"
    page = tmp_path / "report.html"
    page.write_text(render_html(result), encoding="utf-8")
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "html-report.png"
    pdf = ARTIFACTS / "html-report.pdf"

    assert CHROMIUM is not None
    with open_page(CHROMIUM, page.as_uri()) as session:
        sections = json.loads(session.evaluate(SECTION_STATE % json.dumps(list(SECTIONS))))
        active = json.loads(session.evaluate(ACTIVE_CONTENT))
        full_page_screenshot(session, screenshot)
        session.call("Emulation.setEmulatedMedia", {"media": "print"})
        nav_in_print = session.evaluate(
            "getComputedStyle(document.querySelector('nav.toc')).display")
        printed = json.loads(session.evaluate(SECTION_STATE % json.dumps(
            ["plan", "other", "findings", "appendix", "checks"])))
        print_to_pdf(session, pdf)
        errors = session.console_errors()
        dialogs = session.dialogs()

    with capsys.disabled():
        print(f"\nHTML report screenshot: {screenshot}\nHTML report as PDF: {pdf}")
    assert sections == {key: {"visible": True, "heading": heading}
                        for key, heading in SECTIONS.items()}
    assert errors == []
    assert dialogs == []
    assert active["scripts"] == 0 and active["images"] == 0 and active["handlers"] == []
    assert PAYLOAD in active["text"], "the payload must be shown as text"
    assert HOSTILE_NAME in active["text"]
    assert "Llama 3.1 Community License" in active["text"]
    assert nav_in_print == "none"
    # on paper: the model cards, the one-row-per-finding appendix and the check table; the
    # long per-finding cards are left to the screen
    assert {key: state["visible"] for key, state in printed.items()} == {
        "plan": True, "other": True, "findings": False, "appendix": True, "checks": True}
    assert screenshot.read_bytes().startswith(b"\x89PNG") and screenshot.stat().st_size > 20_000
    assert pdf.read_bytes().startswith(b"%PDF")
