"""README.md and docs/*.md name only what exists: make targets, make variables, flags of our CLIs, repository files
and folders, links and their anchors; `make help` and README's table of targets agree (tests/docs_check.py reads
what exists from the sources).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bad_inputs import CASES
from tests.docs_check import Checker, Repository, documents, readme_make_targets
from tools.targets import REPO_ROOT

pytestmark = pytest.mark.unit

DOCS = documents()
KINDS = ("targets", "variables", "flags", "files", "links")


@pytest.fixture(scope="module")
def repo() -> Repository:
    return Repository()


@pytest.fixture(scope="module")
def checker(repo) -> Checker:
    return Checker(repo, frozenset(case.id for case in CASES))


@pytest.fixture(scope="module")
def found(checker) -> dict[Path, dict[str, list[str]]]:
    return {doc: checker.problems(doc) for doc in DOCS}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(REPO_ROOT)) for d in DOCS])
def test_docs_name_only_what_exists(found, doc, kind):
    problems = found[doc][kind]
    assert not problems, f"got {len(problems)} {kind} that do not exist:\n" + "\n".join(problems)


def test_make_help_and_the_readme_table_list_the_same_targets(repo):
    # `help` is the table's own introduction ("`make help` prints the same list"), not a row of it
    listed = set(repo.help_targets) - {"help"}
    table = set(readme_make_targets(REPO_ROOT / "README.md"))
    assert listed, "got no targets from make help"
    assert table == listed, (
        f"got targets only in make help: {sorted(listed - table)}, only in README's table: {sorted(table - listed)}"
    )


# --- the checker itself: each kind of problem is found (so the tests above can fail) ----------------------------


BROKEN_PAGE = """# A page

## Real heading

```bash
make apply PROFILE=direct-put
make deploy
make demo DEMO_ARGS="--delivery-timeout 900 --no-such-flag"
make apply NO_SUCH_VAR=1
TF_VAR_enable_opensearch=true make apply
TF_VAR_no_such_variable=1 make apply
retail-producer -I producer/data/online_retail_sample.csv --service-name firehose --frobnicate
python -m tools deploy
python -m no_such_module_of_ours
.venv/bin/python -m pytest tests/unit/test_no_such_file.py
```

Inline: `make status`, `make nothing-here`, `--rate`, `--unheard-of`, `PROFILE=stream`, `BOGUS=1`,
`terraform/env/local.tfvars`, `terraform/env/missing.tfvars`, `contract/none.schema.json`, `.state/local/x/`,
`make demo runs on an emulator (ENV=local, the default)` (prose, not a command).

[ok](#real-heading) [bad anchor](#imaginary) [file](../docs/harness.md) [missing](missing.md)
[outside](../../elsewhere.md) [external](https://example.com/x.md) [harness section](harness.md#no-such-section)
"""


@pytest.fixture(scope="module")
def broken(checker) -> dict[str, list[str]]:
    return checker.problems(REPO_ROOT / "docs" / "page.md", BROKEN_PAGE)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("targets", ["make deploy:", "make nothing-here:"]),
        ("variables", ["NO_SUCH_VAR=", "TF_VAR_enable_opensearch: ignored", "declares no no_such_variable", "BOGUS="]),
        ("flags", ["--no-such-flag", "--frobnicate", "python -m tools deploy:", "no_such_module_of_ours", "--unheard"]),
        ("files", ["tests/unit/test_no_such_file.py", "terraform/env/missing.tfvars", "contract/none.schema.json"]),
        ("links", ["#imaginary", "missing.md", "outside the repository", "#no-such-section"]),
    ],
)
def test_checker_finds_each_kind_of_problem(broken, kind, expected):
    problems = "\n".join(broken[kind])
    missing = [text for text in expected if text not in problems]
    assert not missing, f"got {kind} problems:\n{problems}\nexpected them to mention {missing}"
    assert len(broken[kind]) == len(expected), f"got {broken[kind]}, expected exactly {len(expected)}"


def test_checker_reports_the_line_of_each_problem(broken):
    line = next(p for p in broken["targets"] if "make deploy" in p)
    assert line.startswith("docs/page.md:7: "), f"got {line!r}, expected line 7"
