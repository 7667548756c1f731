"""``python -m auditor``: the same as the ``llama-audit`` console script.

The current directory that ``python -m`` puts first on ``sys.path`` is dropped by
``auditor/__init__.py`` before anything is imported (the package is imported before this
module runs).
"""

from auditor.cli.main import main

if __name__ == "__main__":
    main()
