"""Generic checker: import every changed Python module that lives in a package (a namespace
package too) under the repository's source roots (argv: repo, files; the roots come from
FIXCHECK_ROOTS, default "src"). Scripts outside a package are not executed (top-level code may
call hosted APIs); run.py parse-checks them."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import import_changed, main_guard, module_name


def check(repo: Path, files: list[str]) -> dict[str, str]:
    roots = os.environ.get("FIXCHECK_ROOTS", "src").split(":")
    modules = [f for f in files if f.endswith(".py")
               and module_name(repo, f, roots, namespace=True)
               and any(f.startswith(r.rstrip("/") + "/") for r in roots)]
    return import_changed(repo, modules, roots, namespace=True)


if __name__ == "__main__":
    main_guard(check)
