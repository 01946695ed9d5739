"""docs/threat-model.md stays true: every promise in its table cites at least one test, and every test it
cites (`path`, `path::test_name`, or `::test_name` for the path cited last in the same row) exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
THREAT_MODEL = ROOT / "docs" / "threat-model.md"
CITATION = re.compile(r"`((?:tests/[\w/]+\.py)?(?:::\w+)?)`")


def _promises(text: str) -> list[tuple[str, str]]:
    """(number, test cell) of each row of the Promises table."""
    section = text.split("## Promises", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if re.match(r"\|\s*\d+\s*\|", line)]
    assert rows, "the Promises table has no numbered rows"
    return [(cells[1], cells[-2]) for cells in (row.split("|") for row in rows)]


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test")
    }


def cited_tests(text: str) -> dict[str, list[str]]:
    """Promise number → the tests its row cites, each as `path` or `path::name`."""
    cited: dict[str, list[str]] = {}
    for number, cell in _promises(text):
        refs, path = [], None
        for ref in CITATION.findall(cell):
            if not ref:
                continue
            if ref.startswith("::"):
                assert path, f"promise {number}: {ref} follows no test file"
                ref = path + ref
            path = ref.split("::")[0]
            refs.append(ref)
        cited[number.strip()] = refs
    return cited


def missing(text: str) -> list[str]:
    problems = []
    for number, refs in cited_tests(text).items():
        if not refs:
            problems.append(f"promise {number} cites no test")
        for ref in refs:
            path, _, name = ref.partition("::")
            file = ROOT / path
            if not file.is_file():
                problems.append(f"promise {number}: {path} does not exist")
            elif name and name not in _tests_in(file):
                problems.append(f"promise {number}: {path} has no test {name}")
    return problems


def test_every_promise_cites_tests_that_exist():
    assert missing(THREAT_MODEL.read_text()) == []


def test_the_check_sees_a_renamed_test_a_missing_file_and_a_promise_without_a_test():
    text = THREAT_MODEL.read_text()
    row = "| {n} | a promise | how | {tests} |\n"
    broken = text.replace(
        "\n## What is not protected",
        row.format(n=97, tests="`tests/core/test_threat_model.py::test_no_such_name`")
        + row.format(n=98, tests="`tests/core/no_such_file.py`, `::test_x`")
        + row.format(n=99, tests="none yet")
        + "\n## What is not protected",
    )
    assert missing(broken) == [
        "promise 97: tests/core/test_threat_model.py has no test test_no_such_name",
        "promise 98: tests/core/no_such_file.py does not exist",
        "promise 98: tests/core/no_such_file.py does not exist",
        "promise 99 cites no test",
    ]
