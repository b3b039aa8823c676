"""The doctests in uarray's own sources, run against uscipy's engine.

Copied beside uarray's test files by ``test_peer_suites.py`` and run in a pytest process that
has ``uscipy.testing.as_uarray`` loaded. The docstrings are read from the installed uarray's
source files (``UARRAY_SOURCE_DIR``) with ``ast``, so uarray's own engine is never imported.
Flags are uarray's own (its ``pytest.ini``: IGNORE_EXCEPTION_DETAIL), plus pytest's default
ELLIPSIS: tracebacks name ``uscipy.BackendNotImplementedError``, which *is*
``uarray.BackendNotImplementedError`` here.
"""

import ast
import doctest
import io
import os
from pathlib import Path

import pytest

import uarray

from . import example_helpers

SOURCE_DIR = Path(os.environ["UARRAY_SOURCE_DIR"])
FLAGS = doctest.ELLIPSIS | doctest.IGNORE_EXCEPTION_DETAIL


def _docstrings(path: Path):
    tree = ast.parse(path.read_text())
    module_doc = ast.get_docstring(tree, clean=False)
    if module_doc:
        yield "uarray" if path.name == "__init__.py" else f"uarray.{path.stem}", module_doc, 1
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            doc = ast.get_docstring(node, clean=False)
            if doc:
                yield f"uarray.{path.stem}.{node.name}", doc, node.lineno


def _collect():
    parser = doctest.DocTestParser()
    for filename in ("__init__.py", "_backend.py"):
        path = SOURCE_DIR / filename
        for name, doc, lineno in _docstrings(path):
            globs = {k: getattr(uarray, k) for k in uarray.__all__}
            globs.update(ua=uarray, ex=example_helpers)
            test = parser.get_doctest(doc, globs, name, str(path), lineno)
            if test.examples:
                yield pytest.param(test, id=name)


@pytest.mark.parametrize("test", list(_collect()))
def test_uarray_doctest(test):
    out = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    result = runner.run(test, out=out.write)
    assert result.failed == 0, out.getvalue()
