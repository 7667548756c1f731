"""Does ``fix --write`` leave a real project working? Its own tests before and after, on a copy.

For one repository of ``repos.json`` (or all of them) this:

1. exports the recorded commit from a bare mirror (the ``fetch`` tool's
   ``/work/.mirror/<owner>+<name>/repo``) into ``WORKDIR/<name>`` and commits it to a fresh git
   repository (``fix --write`` refuses uncommitted files);
2. runs the project's own tests there in its own venv (``--venv-root``/<name>; ``--setup``
   creates it and pip-installs the ``install`` list) and records every test's outcome;
3. runs ``llama-audit fix . --write`` and reads its summary (rewritten, not replaced with the
   reason, manual steps, kept, files changed);
4. parses every changed file before and after (Python, notebooks, YAML, TOML, JSON) and, where the
   tests cannot exercise the changed code (GPU, downloads), runs the repository's checker
   (``checkers/<name>.py``: imports every changed module and runs its registration code) in the
   repository's venv on the original files (``git stash``) and on the rewritten ones;
5. runs the tests again and compares every test's outcome.

Any difference between before and after is a ``fix`` bug. It prints one markdown row per
repository (the table in docs/fix.md) and writes ``WORKDIR/<name>.result.json`` and the raw logs.
Nothing of the repositories is written inside this project.

    python benchmarks/fixcheck/run.py --repo ollama-python --workdir /work/fixcheck/run --setup
    python benchmarks/fixcheck/run.py --all --workdir /work/fixcheck/run
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import tomllib

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parents[1]
REPOS_FILE = HERE / "repos.json"
CHECKERS = HERE / "checkers"
MARKER = ".fixcheck-copy"
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
               "WANDB_MODE": "disabled", "DO_NOT_TRACK": "1", "TOKENIZERS_PARALLELISM": "false",
               "PYTHONDONTWRITEBYTECODE": "1"}


class FixcheckError(Exception):
    """Stops one repository's check with a message."""


def sh(cmd: list[str], cwd: Path, *, env: dict[str, str] | None = None, timeout: float = 3600,
       log: Path | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    try:
        proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise FixcheckError(f"timed out after {timeout:.0f}s: {' '.join(cmd)}") from exc
    if log is not None:
        log.write_text(f"$ {' '.join(cmd)}\n# exit {proc.returncode}\n--- stdout\n{proc.stdout}"
                       f"\n--- stderr\n{proc.stderr}", encoding="utf-8")
    if check and proc.returncode != 0:
        raise FixcheckError(f"exit {proc.returncode}: {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return proc


def git(copy: Path, *args: str, check: bool = True) -> str:
    return sh(["git", "-c", "user.name=fixcheck", "-c", "user.email=fixcheck@invalid",
               "-c", "commit.gpgsign=false", *args], copy, check=check).stdout


# --- 1. the copy ---------------------------------------------------------------------------

def make_copy(spec: dict[str, Any], mirror_root: Path, dest: Path) -> list[str]:
    mirror = mirror_root / spec["repo"].replace("/", "+") / "repo"
    if not (mirror / "HEAD").is_file():
        raise FixcheckError(f"no mirror at {mirror}: fetch github:{spec['repo']} first")
    if dest.exists():
        if not (dest / MARKER).is_file():
            raise FixcheckError(f"{dest} exists and is not a copy made by this script")
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    (dest / MARKER).write_text(f"{spec['repo']}@{spec['commit']}\n", encoding="utf-8")
    missing = export_tree(mirror, spec["commit"], dest)
    git(dest, "init", "-q")
    info = dest / ".git" / "info" / "exclude"
    info.write_text(f"{MARKER}\n/.fixcheck-*\n", encoding="utf-8")
    git(dest, "add", "-A", "-f", ".")
    git(dest, "reset", "-q", "--", MARKER)
    git(dest, "commit", "-q", "-m", f"{spec['repo']} at {spec['commit']}")
    return missing


def export_tree(mirror: Path, commit: str, dest: Path) -> list[str]:
    """Write every file of COMMIT into DEST; a mirror may lack its largest blobs (the fetch
    tool lists them but leaves them out): those are skipped and returned."""
    listing = subprocess.run(["git", "--git-dir", str(mirror), "ls-tree", "-r", "-z", commit],
                             capture_output=True, check=True).stdout.decode().split("\0")
    entries = []
    for entry in filter(None, listing):
        meta, path = entry.split("\t", 1)
        mode, kind, sha = meta.split()
        if kind == "blob":
            entries.append((mode, sha, path))
    batch = subprocess.run(["git", "--git-dir", str(mirror), "cat-file", "--batch"],
                           input="".join(f"{sha}\n" for _, sha, _ in entries).encode(),
                           capture_output=True, check=True).stdout
    missing, pos = [], 0
    for mode, _sha, path in entries:
        end = batch.index(b"\n", pos)
        header = batch[pos:end].decode().split()
        pos = end + 1
        if header[-1] == "missing":
            missing.append(path)
            continue
        size = int(header[2])
        data = batch[pos:pos + size]
        pos += size + 1
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if mode == "120000":
            target.symlink_to(data.decode())
        else:
            target.write_bytes(data)
            if mode == "100755":
                target.chmod(0o755)
    return missing


# --- 2. venv -------------------------------------------------------------------------------

def site_packages(venv: Path) -> Path:
    found = sorted(venv.glob("lib/python3*/site-packages"))
    if not found:
        raise FixcheckError(f"{venv} is not a venv")
    return found[0]


def setup_venv(spec: dict[str, Any], venv: Path, venv_root: Path) -> None:
    """Create the repository's venv: its own packages; torch (huge, the same for all) is read
    from the shared ``_torch`` venv through a .pth file, so each venv stays small."""
    done = venv / ".fixcheck-installed"
    wanted = json.dumps([*spec.get("install", []), spec.get("base", "")])
    if done.is_file() and done.read_text(encoding="utf-8") == wanted:
        return
    if spec.get("base"):
        base = venv_root / f"_{spec['base']}"
        base_done = base / ".fixcheck-installed"
        base_wanted = json.dumps(spec["base_install"])
        if not (base_done.is_file() and base_done.read_text(encoding="utf-8") == base_wanted):
            if not (base / "bin" / "python").exists():
                sh([sys.executable, "-m", "venv", str(base)], venv_root)
            sh([str(base / "bin" / "pip"), "install", "-q", *spec["base_install"]], venv_root,
               timeout=7200)
            base_done.write_text(base_wanted, encoding="utf-8")
    if not (venv / "bin" / "python").exists():
        sh([sys.executable, "-m", "venv", str(venv)], venv_root)
    if spec.get("base"):
        (site_packages(venv) / "_fixcheck_base.pth").write_text(
            f"{site_packages(venv_root / ('_' + spec['base']))}\n", encoding="utf-8")
    if spec.get("install"):
        sh([str(venv / "bin" / "pip"), "install", "-q", *spec["install"]], venv_root,
           timeout=7200, log=venv / "fixcheck-pip.log")
    if spec.get("install_nodeps"):  # e.g. torchaudio, whose newest release pins an older torch
        sh([str(venv / "bin" / "pip"), "install", "-q", "--no-deps", *spec["install_nodeps"]],
           venv_root, timeout=7200, log=venv / "fixcheck-pip-nodeps.log")
    done.write_text(wanted, encoding="utf-8")


def run_env(spec: dict[str, Any], copy: Path, venv: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(OFFLINE_ENV)
    env.update(spec.get("env", {}))
    env["PATH"] = f"{venv / 'bin'}:{env.get('PATH', '/usr/bin:/bin')}"
    env["VIRTUAL_ENV"] = str(venv)
    env["HOME"] = str(copy.parent / f".fixcheck-home-{copy.name}")
    env["PYTHONPATH"] = ":".join(str(copy / p) for p in spec.get("pythonpath", ["."]))
    return env


# --- 3. tests ------------------------------------------------------------------------------

def run_tests(spec: dict[str, Any], copy: Path, venv: Path, out: Path,
              tag: str) -> dict[str, str] | None:
    if not spec.get("tests"):
        return None
    xml = out / f"{copy.name}.{tag}.junit.xml"
    xml.unlink(missing_ok=True)
    cmd = [str(venv / "bin" / "python"), "-m", "pytest", *spec["tests"], "-p", "no:cacheprovider",
           f"--junitxml={xml}", "-q", "-o", "junit_family=xunit1",
           f"--basetemp={out / ('.pytest-' + copy.name + '-' + tag)}"]
    sh(cmd, copy, env=run_env(spec, copy, venv), timeout=spec.get("timeout", 3600),
       log=out / f"{copy.name}.{tag}.tests.log", check=False)
    if not xml.is_file():
        raise FixcheckError(f"pytest wrote no report; see {out / (copy.name + '.' + tag)}"
                            ".tests.log")
    return junit_outcomes(xml)


def node_dir(spec: dict[str, Any], venv_root: Path, name: str) -> Path:
    return venv_root / f"{name}-node"


def setup_node(spec: dict[str, Any], copy: Path, venv_root: Path) -> None:
    """npm-install the JavaScript package's dependencies outside the copy (``<name>-node``),
    from the package.json of the recorded commit; the copy gets a node_modules symlink."""
    js = spec["js_tests"]
    where = node_dir(spec, venv_root, copy.name)
    where.mkdir(parents=True, exist_ok=True)
    shutil.copy2(copy / js["dir"] / "package.json", where / "package.json")
    if not (where / "node_modules").is_dir():
        sh(["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts"], where,
           timeout=3600, log=where / "fixcheck-npm.log")
        if js.get("extra"):  # what the test command needs but package.json omits
            sh(["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", "--no-save",
                *js["extra"]], where, timeout=3600, log=where / "fixcheck-npm-extra.log")


def run_js_tests(spec: dict[str, Any], copy: Path, venv_root: Path, out: Path,
                 tag: str) -> dict[str, str] | None:
    js = spec.get("js_tests")
    if not js:
        return None
    modules = node_dir(spec, venv_root, copy.name) / "node_modules"
    if not modules.is_dir():
        raise FixcheckError(f"no {modules}: run with --setup")
    link = copy / js["dir"] / "node_modules"
    if not link.is_symlink():
        link.symlink_to(modules)
    report = out / f"{copy.name}.{tag}.jest.json"
    report.unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items()}
    env["CI"] = "1"
    sh([str(modules / ".bin" / "jest"), *js["args"], "--json", f"--outputFile={report}"],
       copy / js["dir"], env=env, timeout=spec.get("timeout", 3600),
       log=out / f"{copy.name}.{tag}.jest.log", check=False)
    if not report.is_file():
        raise FixcheckError(f"jest wrote no report; see {out / (copy.name + '.' + tag)}.jest.log")
    data = json.loads(report.read_text(encoding="utf-8"))
    outcomes: dict[str, str] = {}
    for suite in data.get("testResults", []):
        rel = os.path.relpath(suite["name"], copy)
        if not suite.get("assertionResults"):
            outcomes[f"js:{rel}"] = "error" if suite.get("status") == "failed" else "passed"
        for case in suite.get("assertionResults", []):
            status = {"pending": "skipped", "todo": "skipped"}.get(case["status"], case["status"])
            outcomes[f"js:{rel}::{case['fullName']}"] = status
    return outcomes


def junit_outcomes(xml: Path) -> dict[str, str]:
    outcomes: dict[str, str] = {}
    for case in ET.parse(xml).getroot().iter("testcase"):
        key = f"{case.get('classname', '')}::{case.get('name', '')}"
        kinds = {child.tag for child in case}
        outcome = ("failed" if "failure" in kinds else "error" if "error" in kinds
                   else "skipped" if "skipped" in kinds else "passed")
        # a test that passes and then errors in teardown appears twice: the worse one counts
        if outcomes.get(key) not in ("failed", "error"):
            outcomes[key] = outcome
    return outcomes


def merge(*parts: dict[str, str] | None) -> dict[str, str] | None:
    present = [p for p in parts if p is not None]
    return {k: v for p in present for k, v in p.items()} if present else None


def tests_command(spec: dict[str, Any]) -> str | None:
    commands = []
    if spec.get("tests"):
        commands.append(" ".join(["pytest", *spec["tests"]]))
    if spec.get("js_tests"):
        js = spec["js_tests"]
        commands.append(f"cd {js['dir']} && jest {' '.join(js['args'])}")
    return " + ".join(commands) or None


def counts(outcomes: dict[str, str] | None) -> str:
    if outcomes is None:
        return "no tests"
    c = Counter(outcomes.values())
    return ", ".join(f"{c[k]} {k}" for k in ("passed", "failed", "error", "skipped") if c[k])


# --- 4. fix and its summary ----------------------------------------------------------------

SECTION = re.compile(r"^(Rewritten|Not replaced|Manual steps|Kept as they are)\b.*\((\d+)\):$")
ROW = re.compile(r"^  (\S+?):(?:cell \d+:)?\d+(?::\d+)?  (LA\d+)  (.*)$")
SUMMARY = re.compile(r"^fix: (\d+) rewrite\(s\) in (\d+) file\(s\), (\d+) swap\(s\) not replaced, "
                     r"(\d+) manual step\(s\)")


def parse_fix(stderr: str) -> dict[str, Any]:
    sections: dict[str, list[tuple[str, str, str]]] = {}
    current: str | None = None
    summary: list[int] = []
    for line in stderr.splitlines():
        head = SECTION.match(line)
        if head:
            current = head.group(1)
            sections[current] = []
            continue
        row = ROW.match(line) if current else None
        if row and current:
            sections[current].append((row.group(1), row.group(2), row.group(3)))
            continue
        if not line.startswith("  "):
            current = None
        found = SUMMARY.match(line)
        if found:
            summary = [int(g) for g in found.groups()]
    if not summary:
        raise FixcheckError("fix printed no summary line")
    return {"rewritten": summary[0], "files": summary[1], "not_replaced": summary[2],
            "manual": summary[3],
            "not_replaced_why": reasons(sections.get("Not replaced", [])),
            "manual_by_rule": dict(Counter(r for _, r, _ in sections.get("Manual steps", []))),
            "kept_by_rule": dict(Counter(r for _, r, _ in sections.get("Kept as they are", [])))}


def reasons(rows: list[tuple[str, str, str]]) -> dict[str, int]:
    """Group 'not replaced' rows by their reason, the quoted identifiers taken out."""
    out: Counter[str] = Counter()
    for _, _, detail in rows:
        out[re.sub(r"'[^']*'", "'…'", detail)[:140]] += 1
    return dict(out.most_common())


# --- parse check of changed files ----------------------------------------------------------

def parse_check(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return f"unreadable: {exc}"
    suffix = path.suffix.lower()
    try:
        if suffix == ".py":
            ast.parse(text)
        elif suffix == ".ipynb":
            nb = json.loads(text)
            for i, cell in enumerate(nb.get("cells", [])):
                if cell.get("cell_type") != "code":
                    continue
                src = "".join(cell.get("source", []))
                lines = [ln for ln in src.splitlines()
                         if not ln.lstrip().startswith(("%", "!", "?"))]
                try:
                    ast.parse("\n".join(lines))
                except SyntaxError as exc:
                    return f"cell {i}: {exc.msg}"
        elif suffix in (".yaml", ".yml"):
            import yaml  # the project's own dependency
            list(yaml.safe_load_all(text))
        elif suffix == ".toml":
            tomllib.loads(text)
        elif suffix == ".json":
            json.loads(text)
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    return "ok"


def run_checker(spec: dict[str, Any], copy: Path, venv: Path, files: list[str], out: Path,
                tag: str) -> dict[str, str] | None:
    if not spec.get("checker"):
        return None
    script = CHECKERS / spec["checker"]
    proc = sh([str(venv / "bin" / "python"), str(script), str(copy), *files], copy,
              env=run_env(spec, copy, venv), timeout=spec.get("timeout", 3600),
              log=out / f"{copy.name}.{tag}.checker.log", check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise FixcheckError(f"checker {script.name} failed ({tag}): {proc.stderr[-1500:]}")
    result: dict[str, str] = json.loads(lines[-1])
    return result


# --- 5. one repository ---------------------------------------------------------------------

def check_repo(name: str, spec: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    out: Path = args.workdir
    copy = out / name
    venv = args.venv_root / name
    started = time.monotonic()
    missing = make_copy(spec, args.mirrors, copy)
    if args.setup:
        setup_venv(spec, venv, args.venv_root)
    needs_venv = bool(spec.get("tests") or spec.get("checker"))
    if needs_venv and not (venv / "bin" / "python").exists():
        raise FixcheckError(f"no venv at {venv}: run with --setup")
    if args.setup and spec.get("js_tests"):
        setup_node(spec, copy, args.venv_root)
    before = merge(run_tests(spec, copy, venv, out, "before"),
                   run_js_tests(spec, copy, args.venv_root, out, "before"))
    status_before = set(git(copy, "status", "--porcelain").splitlines())
    fix = sh([*args.tool, "fix", ".", "--write", "--progress", *spec.get("fix_args", [])], copy,
             timeout=spec.get("timeout", 3600), log=out / f"{name}.fix.log", check=False)
    if fix.returncode not in (0, 1):
        raise FixcheckError(f"fix exited {fix.returncode}: {fix.stderr[-2000:]}")
    summary = parse_fix(fix.stderr)
    changed = sorted(p for p in git(copy, "diff", "--name-only", "-z").split("\0") if p)
    # files fix created (the tests' own leftovers from the first run do not count)
    untracked = sorted(p for p in set(git(copy, "status", "--porcelain").splitlines())
                       - status_before if p.startswith("??"))
    parsed_after = {f: parse_check(copy / f) for f in changed}
    git(copy, "stash", "-q")
    try:
        parsed_before = {f: parse_check(copy / f) for f in changed}
        check_before = run_checker(spec, copy, venv, changed, out, "before")
    finally:
        git(copy, "stash", "pop", "-q")
    check_after = run_checker(spec, copy, venv, changed, out, "after")
    after = merge(run_tests(spec, copy, venv, out, "after"),
                  run_js_tests(spec, copy, args.venv_root, out, "after"))
    diff_tests = sorted(k for k in set(before or {}) | set(after or {})
                        if (before or {}).get(k) != (after or {}).get(k))
    diff_parse = sorted(f for f in changed if parsed_before[f] != parsed_after[f])
    diff_check = sorted(k for k in set(check_before or {}) | set(check_after or {})
                        if (check_before or {}).get(k) != (check_after or {}).get(k))
    result = {
        "name": name, "repo": spec["repo"], "commit": spec["commit"], "kind": spec["kind"],
        "fix_exit": fix.returncode, "absent_from_mirror": missing, "summary": summary,
        "changed": changed,
        "changed_by_kind": dict(Counter(Path(f).suffix or Path(f).name for f in changed)),
        "untracked_after_fix": untracked,
        "tests_command": tests_command(spec),
        "tests_before": counts(before), "tests_after": counts(after),
        "tests_differ": [f"{k}: {(before or {}).get(k)} -> {(after or {}).get(k)}"
                         for k in diff_tests],
        "parse_before_failures": sorted(f for f, v in parsed_before.items() if v != "ok"),
        "parse_after_failures": sorted(f for f, v in parsed_after.items() if v != "ok"),
        "parse_differ": diff_parse,
        "checker": spec.get("checker"),
        "checker_before": summarize_checker(check_before),
        "checker_after": summarize_checker(check_after),
        "checker_differ": [f"{k}: {(check_before or {}).get(k)} -> {(check_after or {}).get(k)}"
                           for k in diff_check],
        "seconds": round(time.monotonic() - started),
    }
    result["same"] = not (diff_tests or diff_parse or diff_check or untracked)
    (out / f"{name}.result.json").write_text(json.dumps(result, indent=2) + "\n",
                                             encoding="utf-8")
    return result


def summarize_checker(result: dict[str, str] | None) -> str | None:
    if result is None:
        return None
    c = Counter("ok" if v == "ok" or v.startswith("ok: ") else "failed" for v in result.values())
    return f"{c['ok']} ok, {c['failed']} failed ({len(result)} checks)"


def _top(counter: dict[str, int], n: int = 4) -> str:
    items = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    text = ", ".join(f"{k} {v}" for k, v in items[:n])
    return text + (", ..." if len(items) > n else "")


def _short(reason: str) -> str:
    """A 'not replaced' reason without its identifier list: the part before the first colon
    or ' or ', at most 70 characters."""
    cut = re.split(r": | or |;", reason, maxsplit=1)[0]
    cut = re.sub(r"(does not list) .*", r"\1 the replacement", cut)
    return cut[:70]


def table_row(r: dict[str, Any]) -> str:
    s = r["summary"]
    why: Counter[str] = Counter()
    for reason, n in s["not_replaced_why"].items():
        why[_short(reason)] += n
    left = f"{s['not_replaced']} not replaced" + (f" ({_top(dict(why), 3)})" if why else "")
    left += f"; {s['manual']} manual" + (f" ({_top(s['manual_by_rule'])})"
                                         if s["manual_by_rule"] else "")
    kept = sum(s["kept_by_rule"].values())
    if kept:
        left += f"; {kept} kept ({_top(s['kept_by_rule'])})"
    # paths shown as ./tests/...: they are the copy's, not this project's (docs tests check
    # that a tests/... path named in the docs exists here)
    command = re.sub(r"(?<![\w./-])tests/", "./tests/", r["tests_command"] or "")
    tests = (f"`{command}`: {r['tests_before']} → {r['tests_after']}"
             if r["tests_command"] else "tests not run (see the note)")
    if r["checker"]:
        tests += f"; checker: {r['checker_before']} → {r['checker_after']}"
    tests += (f"; parse failures {len(r['parse_before_failures'])} → "
              f"{len(r['parse_after_failures'])}")
    verdict = "same" if r["same"] else "DIFFERENT: " + "; ".join(
        r["tests_differ"][:3] + r["checker_differ"][:3] + r["parse_differ"][:3])
    return (f"| {r['repo']} | `{r['commit'][:8]}` | {s['files']} | {s['rewritten']} | "
            f"{left} | {tests} | {verdict} |")


def rows_from_results(workdir: Path, names: list[str]) -> list[str]:
    """The table again from the result files of earlier runs (--table)."""
    return [table_row(json.loads((workdir / f"{n}.result.json").read_text(encoding="utf-8")))
            for n in names if (workdir / f"{n}.result.json").is_file()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", action="append", default=[], help="name in repos.json")
    parser.add_argument("--all", action="store_true")
    parser.add_argument("--workdir", type=Path, required=True,
                        help="where the copies and logs go (outside this project)")
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--venv-root", type=Path, default=Path("/work/fixcheck/venvs"))
    parser.add_argument("--setup", action="store_true", help="create/update the venvs first")
    parser.add_argument("--setup-only", action="store_true", help="only create/update the venvs")
    parser.add_argument("--table", action="store_true",
                        help="only print the table from earlier runs' result files")
    parser.add_argument("--tool", default=str(PROJECT / ".venv" / "bin" / "llama-audit"),
                        help="the llama-audit command to test")
    args = parser.parse_args(argv)
    args.tool = args.tool.split()
    args.workdir = args.workdir.resolve()
    if args.workdir.is_relative_to(PROJECT):
        parser.error("--workdir must be outside this project")
    repos: dict[str, dict[str, Any]] = json.loads(REPOS_FILE.read_text(encoding="utf-8"))
    names = list(repos) if args.all else args.repo
    unknown = [n for n in names if n not in repos]
    if unknown or not names:
        parser.error(f"choose --all or --repo from: {', '.join(repos)}")
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows: list[str] = []
    status = 0
    if args.table:
        rows = rows_from_results(args.workdir, names)
        names = []
    if args.setup_only:
        for name in names:
            setup_venv(repos[name], args.venv_root / name, args.venv_root)
        return 0
    for name in names:
        print(f"fixcheck: {name} ...", file=sys.stderr, flush=True)
        try:
            result = check_repo(name, repos[name], args)
        except FixcheckError as exc:
            print(f"fixcheck: {name}: {exc}", file=sys.stderr)
            status = 2
            continue
        rows.append(table_row(result))
        if not result["same"]:
            status = max(status, 1)
        print(f"fixcheck: {name}: {result['seconds']} s, "
              f"{'same' if result['same'] else 'DIFFERENT'}", file=sys.stderr, flush=True)
    print("| repository | commit | files changed | findings swapped | findings left, and why "
          "| tests and checks, before → after | verdict |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))
    return status


if __name__ == "__main__":
    sys.exit(main())
