"""The HTML report: self-contained, every section present, scanned text always escaped."""

from __future__ import annotations

import re
from dataclasses import replace
from html.parser import HTMLParser

from auditor.report.html import render_html, report_context, snippet_parts
from tests.report_samples import XSS_ATTR, XSS_PATH, XSS_SCRIPT, empty_result, sample_result

SECTIONS = ("summary", "licenses", "effort", "plan", "other", "findings", "appendix", "checks",
            "diagnostics")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def test_every_section_is_present_in_order() -> None:
    html = render_html(sample_result())
    ids = [attrs.get("id") for tag, attrs in parse(html).tags if tag == "section"]
    assert ids == list(SECTIONS)


def test_self_contained_no_scripts_no_external_assets() -> None:
    html = render_html(sample_result(hostile=True))
    tags = parse(html).tags
    assert not [t for t, _ in tags if t in ("script", "link", "iframe", "object", "embed",
                                            "img")]
    assert not [a for _, a in tags if "src" in a]
    assert not [a for _, a in tags for k in a if k.startswith("on")]
    csp = next(a["content"] for t, a in tags if t == "meta" and a.get("http-equiv")
               == "Content-Security-Policy")
    assert csp is not None and csp.startswith("default-src 'none'")
    assert not re.search(r"url\(|@import", html)


def test_hostile_strings_are_escaped_everywhere() -> None:
    html = render_html(sample_result(hostile=True))
    assert XSS_SCRIPT not in html
    assert XSS_ATTR not in html
    assert "<script>boom</script>" not in html
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
    text = "".join(parse(html).text)
    assert XSS_SCRIPT in text, "the payload must show as text"
    assert XSS_PATH in text
    assert XSS_ATTR in text


def test_executive_summary_numbers() -> None:
    html = render_html(sample_result())
    text = " ".join("".join(parse(html).text).split())
    assert ("The code depends on Meta Llama in 9 places across 7 files, naming 2 distinct "
            "Llama models. Moving off Llama means 3 identifier swaps, 4 code adaptations and "
            "1 retraining task; 1 item can stay as it is.") in text
    context = report_context(sample_result())
    assert context["areas"] == [(".", 3), ("app", 3), ("adapters", 1), ("config", 1),
                                ("notebooks", 1)]


def test_license_exposure_names_licenses_and_obligations() -> None:
    text = " ".join("".join(parse(render_html(sample_result())).text).split())
    assert "Llama 2 Community License" in text
    assert "Llama 3.1 Community License" in text
    assert "Prominently display 'Built with Llama'" in text
    assert "models/llama3_1/LICENSE" in text


def section(html: str, name: str) -> str:
    return html.split(f'<section id="{name}">', 1)[1].split("</section>", 1)[0]


def test_check_appendix_lists_every_check_with_its_source() -> None:
    html = render_html(sample_result())
    plan = section(html, "checks")
    rows = re.findall(r"<tr><td>([\w-]+)</td><td><span class=\"check (\w+)\">", plan)
    assert rows[:6] == [("exists", "pass"), ("license", "pass"), ("gated", "pass"),
                        ("size-class", "pass"), ("context-length", "pass"),
                        ("format", "unknown")]
    assert ("context-length", "fail") in rows
    assert plan.count("<td>snapshot 2026-11-22</td>") == 6 + 3
    assert ('<p class="muted">Name it: <code>google/gemma-4-E4B-it</code>, '
            '<code>gemma4:e4b</code></p>') in plan


def test_findings_show_snippet_with_marked_identifier() -> None:
    html = render_html(sample_result())
    assert ('<pre class="snippet"><span class="ln">3</span>MODEL_ID = &#34;'
            '<mark>meta-llama/Llama-3.1-8B-Instruct</mark>&#34;</pre>') in html
    assert "notebook cell 2, line 3" in html


def test_snippet_parts_without_identifier() -> None:
    finding = sample_result().findings[0]
    parts = snippet_parts(finding)
    assert parts.before + parts.marked + parts.after == finding.snippet


def test_empty_result_renders_placeholders() -> None:
    text = " ".join("".join(parse(render_html(empty_result())).text).split())
    assert "No dependency on Meta Llama models was found in the scanned files." in text
    assert "No Llama license applies to what was found." in text


def test_charts_scale_to_the_largest_value_and_keep_label_ends() -> None:
    from auditor.report.charts import bar_chart, shorten_left, stacked_chart

    chart = bar_chart("t", [("a", 4, "x"), ("b", 2, "y"), ("c", 0, "z")], width=300,
                      label_width=100)
    assert [(b.label, b.width, b.y) for b in chart.bars] == [
        ("a", 152.0, 0.0), ("b", 76.0, 30.0), ("c", 0.0, 60.0)]
    stacked = stacked_chart(
        "s", [("row", [("swap", 1, "s"), ("keep", 0, "k"), ("adapt", 3, "a")])],
        width=248, label_width=100)
    assert [(s.label, s.x, s.width) for s in stacked.rows[0].segments] == [
        ("swap", 100.0, 25.0), ("adapt", 125.0, 75.0)]
    assert stacked.legend == (("swap", "s"), ("keep", "k"), ("adapt", "a"))
    assert shorten_left("x" * 10 + "/client-repo: app", 12) == "…t-repo: app"
    assert shorten_left("short", 12) == "short"


RAW_DUMP = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+: ")
"""A machine key followed by a colon (``catalog_unconfirmed: ...``): a raw dict dump."""


def visible_text_outside_code(html: str) -> str:
    """The report's own words: text outside <pre> snippets and <code> (scanned text)."""
    stripped = re.sub(r"<pre\b.*?</pre>|<code\b.*?</code>|<title>.*?</title>", " ", html,
                      flags=re.S)
    return re.sub(r"<[^>]+>", " ", stripped)


def test_no_raw_key_value_dumps_and_facts_are_labelled() -> None:
    base = sample_result()
    details = (("llama_license", "Llama 3.1 Community License"), ("llama_license_id", "llama3.1"),
               ("catalog_unconfirmed", "mlx_repos: from knowledge; gguf_repos: from knowledge"),
               ("lineage", "unconfirmed base_model: from the model card"), ("direct", "true"))
    result = replace(base, findings=(replace(base.findings[0], details=details),
                                     *base.findings[1:]))
    html = render_html(result)
    assert RAW_DUMP.findall(visible_text_outside_code(html)) == []
    assert "catalog_unconfirmed" not in html and "llama_license_id" not in html
    assert ('<tr><th scope="row">Llama license</th><td>Llama 3.1 Community License</td></tr>'
            in html)
    assert '<tr><th scope="row">Direct dependency</th><td>yes</td></tr>' in html
    assert "unconfirmed base model — from the model card" in html
    assert html.count("Not confirmed from a primary source") == 1
    assert "the catalog&#39;s gguf repos, mlx repos." in html


def printed_findings(html: str) -> list[tuple[str, int, str]]:
    """(file, line, rule) of every finding the printed appendix lists."""
    listed = []
    path = ""
    for row in re.findall(r'<tr class="(?:file-row|f)">.*?</tr>', section(html, "appendix")):
        head = re.match(r'<tr class="file-row"><th colspan="4"><code>(.*?)</code>', row)
        if head:
            path = head.group(1)
            continue
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        listed += [(path, int(line), cells[1]) for line in cells[0].split(", ")]
    return sorted(listed)


def test_every_finding_is_in_the_printed_appendix() -> None:
    result = sample_result()
    html = render_html(result)
    assert printed_findings(html) == sorted((f.path, f.line, f.rule_id)
                                            for f in result.findings)


def test_model_cards_show_where_plan_and_effort() -> None:
    from tests.report.test_cards import decided_result

    plan = section(render_html(decided_result()), "plan")
    assert plan.count('<div class="card model"') == 2
    assert ('<h3>Llama 3.1 8B instruct <span class="badge effort retrain">retrain</span></h3>'
            in plan)
    text = " ".join(re.sub(r"<[^>]+>", " ", plan).split())
    assert ("Meta repository meta-llama/Llama-3.1-8B-Instruct · 3 references in 2 files · "
            "effort: 1 retrain, 2 swap · Llama 3.1 Community License") in text
    assert ('<tr><td><code>meta-llama/Llama-3.1-8B-Instruct</code></td><td>huggingface</td>'
            '<td>write <code class="to">google/gemma-4-E4B-it</code></td></tr>') in plan
    assert ('<tr><td><code>llama3.1:8b</code></td><td>ollama</td>'
            '<td>write <code class="to">gemma4:e4b</code></td></tr>') in plan
    assert ('<tr><td><code>app/chat.py</code></td><td class="lines">3, 9</td>'
            '<td>code, loader</td></tr>') in plan
    assert ('<tr><td><code>adapters/support-bot/adapter_config.json</code></td>'
            '<td class="lines">4</td><td>model file, fine-tune</td></tr>') in plan
    assert ("<span class=\"keep\">not swapped:</span> the catalog has no replacement for "
            "Llama 2 13B instruct (no replacement class fits it)") in plan


def test_documentation_files_are_one_line_of_the_model_card() -> None:
    from tests.report.test_cards import decided_result

    result = decided_result()
    reference = result.findings[2]
    docs = [replace(reference, path="docs/<guide>.md", line=line, end_line=line,
                    rule_id="LA305", details=(("mention", "code-block"),)) for line in (4, 9)]
    plan = section(render_html(replace(result, findings=(*result.findings, *docs))), "plan")
    assert ('<p class="muted docs-uses">Named in documentation: '
            '<code>docs/&lt;guide&gt;.md</code> (4, 9).</p>') in plan
    assert "<td><code>docs/&lt;guide&gt;.md</code></td>" not in plan


def test_other_findings_grouped_by_package_and_rule() -> None:
    other = section(render_html(sample_result()), "other")
    heads = re.findall(r"<h3>(.*?)</h3>", other)
    assert [re.sub(r" <span.*", "", h) for h in heads] == [
        "Package <code>llama-cpp-python</code>", "Package <code>llama-models</code>",
        "Checkpoint of a Llama model", "Llama-specific transformers class or module",
        "Module that exists only for Meta Llama"]
    assert ('<tr><td><code>requirements.txt</code></td><td class="lines">4</td>'
            '<td>dependency</td></tr>') in other


def test_unconfirmed_model_facts_marked_once_on_the_card() -> None:
    base = sample_result()
    unconfirmed = ("catalog_unconfirmed", "ollama_tag: from knowledge; gated: assumed")
    findings = tuple(replace(f, details=(*f.details, unconfirmed)) if f.model else f
                     for f in base.findings)
    html = render_html(replace(base, findings=findings))
    for name in ("plan", "other", "findings", "appendix", "checks"):
        assert RAW_DUMP.findall(visible_text_outside_code(section(html, name))) == [], name
    assert "catalog_unconfirmed" not in html
    assert html.count("Not confirmed from a primary source") == 2  # one per model card
    assert section(html, "plan").count(
        "the catalog&#39;s gated, ollama tag.") == 2


def test_hostile_strings_escaped_in_cards_appendix_and_checks() -> None:
    html = render_html(sample_result(hostile=True))
    for name in ("plan", "appendix", "checks"):
        part = section(html, name)
        assert XSS_ATTR not in part and XSS_SCRIPT not in part, name
    assert "meta-llama/Llama-3.1-8B&#34;&gt;&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in (
        section(html, "plan"))
    assert "src/&lt;script&gt;boom&lt;/script&gt;.py" in section(html, "plan")
    assert "evil/&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in section(html, "checks")


def test_license_chart_counts_findings_per_license() -> None:
    html = render_html(sample_result())
    chart = html.split('aria-label="Findings by license"', 1)[1].split("</svg>", 1)[0]
    labels = re.findall(r'class="chart-label">(.*?)</text>', chart)
    values = re.findall(r'class="chart-value">(\d+)</text>', chart)
    assert list(zip(labels, values, strict=True)) == [
        ("Llama 2 Community License", "1"), ("Llama 3.1 Community License", "4"),
        ("no Llama license", "4")]
    assert 'aria-label="Findings by effort"' in html


def test_finding_cards_show_the_same_decision_as_the_model_card() -> None:
    from tests.report.test_cards import decided_result

    findings = section(render_html(decided_result()), "findings")
    assert ('<p class="fix"><strong>Write instead</strong> <code>gemma4:e4b</code> (Gemma 4)</p>'
            in findings)
    assert ('<p class="fix"><strong>Write instead</strong> <code>google/gemma-4-E4B-it</code> '
            '(Gemma 4)</p>') in findings
    # the adapter (no runtime name recorded) and config/serve.yaml (no replacement class)
    assert findings.count("<strong>Not swapped here:</strong>") == 2
