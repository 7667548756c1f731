"""The Python codemod on its own: only the identifier's characters change, whatever the
quoting, layout and comments around it; the result parses; odd files are left alone."""

from __future__ import annotations

import ast
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.fix.model import Action, Choice, Chosen
from auditor.fix.python_codemod import rewrite_python
from auditor.scan.runner import ScanOptions, scan_paths
from auditor.types import Finding
from tests.fix_helpers import git_repo, run_fix

OLD = "meta-llama/Llama-3.1-8B-Instruct"
NEW = "Qwen/Qwen3.5-9B"


def _choose(finding: Finding) -> Choice:
    return Chosen(NEW, NEW, "--model")


def _findings(tmp_path: Path, name: str, source: str | bytes) -> list[Finding]:
    path = tmp_path / name
    if isinstance(source, bytes):
        path.write_bytes(source)
    else:
        path.write_text(source, encoding="utf-8", newline="")
    return list(scan_paths([tmp_path], ScanOptions()).findings)


QUOTES = st.sampled_from(['"', "'", '"""', "'''"])
PREFIXES = st.sampled_from(["", "r", "u", "R"])
FILLERS = st.lists(st.sampled_from([
    "import os\n", "# a comment with llama in it\n", "\n", "x = {'a': [1, 2,\n     3]}\n",
    "def f(a, b=2):\n    return a  # trailing\n", "class C:\n    '''Doc.'''\n    n = 1\n",
    "if x:\n\tpass\n", "y = 'meta'  +  'data'\n",
]), max_size=4)
TEMPLATES = st.sampled_from([
    "MODEL = {lit}\n",
    "MODEL = os.environ.get('M', {lit})  # default\n",
    "CONFIG = {{\n    'model':   {lit},\n}}\n",
    "def load(name={lit}):\n    return name\n",
    "CMD = {lit_cmd}\n",
])


@settings(max_examples=40, deadline=None)
@given(quote=QUOTES, prefix=PREFIXES, before=FILLERS, after=FILLERS, template=TEMPLATES,
       crlf=st.booleans())
def test_only_the_identifier_changes(tmp_path_factory, quote: str, prefix: str,
                                     before: list[str], after: list[str], template: str,
                                     crlf: bool) -> None:
    literal = f"{prefix}{quote}{OLD}{quote}"
    command = f"{prefix}{quote}ollama run {OLD} --verbose{quote}"
    source = "".join(before) + template.format(lit=literal, lit_cmd=command) + "".join(after)
    if crlf:
        source = source.replace("\n", "\r\n")
    tmp_path = tmp_path_factory.mktemp("prop")
    findings = _findings(tmp_path, "mod.py", source)
    assert [f.identifier for f in findings] == [OLD]
    rewrite = rewrite_python(source, findings, _choose)
    assert rewrite.error is None
    assert [o.action for o in rewrite.outcomes] == [Action.REWRITTEN]
    assert rewrite.text == source.replace(OLD, NEW)
    ast.parse(rewrite.text)


def test_a_file_that_does_not_parse_is_left_alone(tmp_path: Path) -> None:
    source = f'print "python 2"\nMODEL = "{OLD}"\n'
    findings = _findings(tmp_path, "old.py", source)
    rewrite = rewrite_python(source, findings, _choose)
    assert rewrite.text == source
    assert rewrite.error == "not rewritten: it does not parse (ParserSyntaxError)"
    assert {o.action for o in rewrite.outcomes} == {Action.LEFT}


def test_escaped_quotes_in_the_literal_stay_escaped(tmp_path: Path) -> None:
    source = f"NOTE = 'it\\'s {OLD}'\nMODEL = \"{OLD}\"\n"
    findings = _findings(tmp_path, "q.py", source)
    rewrite = rewrite_python(source, findings, _choose)
    assert rewrite.text == source.replace(OLD, NEW)


def test_inline_suppressions_are_respected(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "evals.py").write_text(
        f'BASELINE = "{OLD}"  # llama-audit: ignore[LA101] the eval compares against it\n'
        f'MODEL = "{OLD}"\n', encoding="utf-8")
    git_repo(root)
    run = run_fix([".", "--write", "--model", f"{OLD}={NEW}"], root)
    assert run.code == 0, run.err
    assert (root / "evals.py").read_text(encoding="utf-8") == (
        f'BASELINE = "{OLD}"  # llama-audit: ignore[LA101] the eval compares against it\n'
        f'MODEL = "{NEW}"\n')
    assert "1 finding(s) suppressed inline (llama-audit: ignore) were left as they are" in run.err
