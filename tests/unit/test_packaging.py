"""The built zips: reproducible, and complete — each handler imports and runs from its zip in an isolated
interpreter of the runtime's Python (3.12) with nothing else on the path but what the Lambda runtime
provides (boto3 and its dependencies). MiniStack runs handlers on its own Python with its own packages,
which would hide a missing dependency; this test would not."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import zipfile

import pytest

from tests.doubles.opensearch_admin import OpenSearchAdminDouble
from tests.doubles.opensearch_bulk import OpenSearchBulkDouble
from tests.lambda_support import encode, kinesis_event, runtime_python, runtime_site_packages, sample_record
from tools import build_lambdas

pytestmark = pytest.mark.unit

FUNCTIONS = ("ingest_opensearch", "compact_parquet", "opensearch_bootstrap", "firehose_validate")
RUNTIME_PROVIDED = ("boto3/", "botocore/", "s3transfer/", "jmespath/", "dateutil/", "urllib3/", "six.py")

# Runs inside the isolated interpreter: sys.path is the extracted zip, then the runtime's packages.
ISOLATED = r"""
import json, sys
sys.path[:0] = [sys.argv[1], sys.argv[2]]
import importlib
module = importlib.import_module(sys.argv[3] + ".handler")
assert callable(module.lambda_handler)
outside = sorted({m.__file__ for m in list(sys.modules.values())
                  if getattr(m, "__file__", None) and "site-packages" in m.__file__})
print(json.dumps({"python": sys.version.split()[0], "handler": module.__file__, "site_packages": outside}))
"""

INVOKE_HANDLER = (
    ISOLATED
    + r"""
class Context:
    function_name, memory_limit_in_mb, aws_request_id = sys.argv[3], 512, "req-1"
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:" + sys.argv[3]
    def get_remaining_time_in_millis(self): return 300000
event = json.loads(sys.stdin.read())
print("RESULT " + json.dumps(module.lambda_handler(event, Context())))
"""
)

INVOKE_COMPACT_CLI = (
    ISOLATED
    + r"""
from compact_parquet.cli import main
sys.exit(main(["--hour", "2027-01-01T00", "--dry-run", "--engine", "athena"]))
"""
)


@pytest.fixture(scope="module")
def python312():
    found = runtime_python()
    if found is None:
        pytest.skip("no Python 3.12 interpreter (set LAMBDA_RUNTIME_PYTHON): the packaging test needs the runtime's")
    return found


@pytest.fixture(scope="module")
def zips():
    return {name: build_lambdas.build(build_lambdas.SOURCE_DIR / name) for name in FUNCTIONS}


@pytest.fixture(scope="module")
def runtime():
    return runtime_site_packages()


@pytest.fixture(scope="module")
def extracted(zips, tmp_path_factory):
    roots = {}
    for name, path in zips.items():
        root = tmp_path_factory.mktemp(name)
        with zipfile.ZipFile(path) as archive:
            archive.extractall(root)
        roots[name] = root
    return roots


def isolated_env(**extra: str) -> dict[str, str]:
    """No inherited PYTHONPATH or AWS settings; only what the test gives."""
    return {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8"} | extra


def run_isolated(python: str, script: str, root, runtime, function: str, env: dict[str, str], stdin: str = ""):
    return subprocess.run(
        [python, "-I", "-S", "-c", script, str(root), str(runtime), function],
        input=stdin, capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("function", FUNCTIONS)
def test_zip_rebuild_is_byte_identical(zips, function):
    first = hashlib.sha256(zips[function].read_bytes()).hexdigest()
    second = hashlib.sha256(build_lambdas.build(build_lambdas.SOURCE_DIR / function).read_bytes()).hexdigest()
    assert first == second, f"got {first} then {second}, expected the same zip"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_zip_entries_sorted_with_fixed_timestamps(zips, function):
    with zipfile.ZipFile(zips[function]) as archive:
        infos = archive.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names), "got entries out of order"
    stamps = {i.date_time for i in infos}
    assert stamps == {build_lambdas.FIXED_TIME}, f"got timestamps {stamps}, expected only {build_lambdas.FIXED_TIME}"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_zip_leaves_runtime_packages_and_scripts_out(zips, function):
    with zipfile.ZipFile(zips[function]) as archive:
        names = archive.namelist()
    bundled = sorted({n.split("/")[0] for n in names if n.startswith(RUNTIME_PROVIDED) or n.startswith("bin/")})
    assert not bundled, f"got {bundled} in the zip, expected boto3 and friends left to the runtime"
    assert f"{function}/handler.py" in names, f"got no {function}/handler.py in the zip"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_handler_imports_from_zip_alone(python312, extracted, runtime, function):
    env = isolated_env(AWS_REGION="us-east-1", AWS_DEFAULT_REGION="us-east-1")
    result = run_isolated(python312, ISOLATED, extracted[function], runtime, function, env)
    assert result.returncode == 0, f"got exit {result.returncode}:\n{result.stderr[-3000:]}"
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["python"].startswith("3.12."), f"got Python {report['python']}, expected the runtime's 3.12"
    assert report["handler"].startswith(str(extracted[function])), f"got handler from {report['handler']}"
    strays = [f for f in report["site_packages"] if not f.startswith(str(runtime))]
    assert not strays, f"got modules from outside the zip and the runtime: {strays[:5]}"


def test_ingest_handler_indexes_from_zip_alone(python312, extracted, runtime):
    # given: the zip's handler in a bare interpreter, pointed at the bulk test double
    with OpenSearchBulkDouble(credentials={"AKIDZIP": ("secret", None)}) as double:
        env = isolated_env(
            AWS_REGION="us-east-1", AWS_ACCESS_KEY_ID="AKIDZIP", AWS_SECRET_ACCESS_KEY="secret",
            OPENSEARCH_ENDPOINT=double.url, DEAD_LETTER_QUEUE_URL="https://sqs.us-east-1.amazonaws.com/0/dlq",
            POWERTOOLS_SERVICE_NAME="ingest-opensearch", POWERTOOLS_METRICS_NAMESPACE="RetailPipeline",
        )  # fmt: skip
        event = kinesis_event([encode(sample_record(i, "zip")) for i in range(5)])
        # when
        result = run_isolated(
            python312, INVOKE_HANDLER, extracted["ingest_opensearch"], runtime, "ingest_opensearch", env,
            stdin=json.dumps(event),
        )  # fmt: skip
    # then
    assert result.returncode == 0, f"got exit {result.returncode}:\n{result.stderr[-3000:]}"
    response = next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))
    assert json.loads(response[7:]) == {"batchItemFailures": []}, f"got {response}"
    assert len(double.documents["retail"]) == 5, f"got {len(double.documents['retail'])} documents, expected 5"
    assert all(r.signature == "valid" for r in double.bulk_requests()), "got an invalid SigV4 signature"


def test_firehose_validate_handler_sorts_records_from_zip_alone(python312, extracted, runtime):
    env = isolated_env(
        AWS_REGION="us-east-1",
        POWERTOOLS_SERVICE_NAME="firehose-validate",
        POWERTOOLS_METRICS_NAMESPACE="RetailPipeline",
    )
    good, bad = encode(sample_record(1, "zip")), b"489434,85048,GLASS BALL,12,2009-12-01 07:45:00,6.95,13085,UK\n"
    event = {"records": [{"recordId": str(i), "data": base64.b64encode(d).decode()} for i, d in enumerate((good, bad))]}
    result = run_isolated(
        python312, INVOKE_HANDLER, extracted["firehose_validate"], runtime, "firehose_validate", env,
        stdin=json.dumps(event),
    )  # fmt: skip
    assert result.returncode == 0, f"got exit {result.returncode}:\n{result.stderr[-3000:]}"
    response = json.loads(next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))[7:])
    got = [r["result"] for r in response["records"]]
    assert got == ["Ok", "ProcessingFailed"], f"got {got}"


def test_compact_cli_runs_from_zip_alone(python312, extracted, runtime):
    env = isolated_env(
        AWS_REGION="us-east-1", AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="y", GLUE_DATABASE="mydatabase",
        ATHENA_WORKGROUP="retail-analytics", TARGET_LOCATION="s3://retail-bucket/parquet-retail-trans/",
    )  # fmt: skip
    result = run_isolated(python312, INVOKE_COMPACT_CLI, extracted["compact_parquet"], runtime, "compact_parquet", env)
    assert result.returncode == 0, f"got exit {result.returncode}:\n{result.stderr[-3000:]}"
    assert "CREATE TABLE mydatabase.ctas_retail_trans_parquet__ctas_2027010100" in result.stdout, result.stdout


def test_bootstrap_handler_configures_the_domain_from_zip_alone(python312, extracted, runtime):
    # given: the zip's handler in a bare interpreter, pointed at the admin test double
    with OpenSearchAdminDouble(credentials={"AKIDZIP": ("secret", None)}) as double:
        env = isolated_env(AWS_REGION="us-east-1", AWS_ACCESS_KEY_ID="AKIDZIP", AWS_SECRET_ACCESS_KEY="secret")
        event = {"endpoint": double.url, "ingest_role_arn": "arn:aws:iam::123456789012:role/retail-ingest"}
        # when
        result = run_isolated(
            python312, INVOKE_HANDLER, extracted["opensearch_bootstrap"], runtime, "opensearch_bootstrap", env,
            stdin=json.dumps(event),
        )  # fmt: skip
    # then
    assert result.returncode == 0, f"got exit {result.returncode}:\n{result.stderr[-3000:]}"
    response = json.loads(next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))[7:])
    assert (response["changed"], response["unchanged"]) == (9, 0), f"got {response}"
    assert double.templates["retail"]["index_patterns"] == ["retail*"], f"got {double.templates}"
    assert all(r.signature == "valid" for r in double.requests), "got an invalid SigV4 signature"


def test_bootstrap_zip_bundles_the_ingest_template_once(zips):
    with zipfile.ZipFile(zips["opensearch_bootstrap"]) as archive:
        names = archive.namelist()
    templates = [n for n in names if n.endswith("index_template.json")]
    assert templates == ["ingest_opensearch/index_template.json"], f"got {templates}"
    assert "opensearch_bootstrap/saved_objects.ndjson" in names, "got no saved objects in the zip"
    assert not [n for n in names if n.endswith(build_lambdas.BUNDLE_FILE)], "got the bundle listing in the zip"


def test_bundle_naming_no_sibling_package_fails_the_build(tmp_path, monkeypatch):
    function = tmp_path / "fn"
    function.mkdir()
    (function / "handler.py").write_text("def lambda_handler(event, context):\n    return event\n")
    (function / build_lambdas.BUNDLE_FILE).write_text("# shared code\nnot_a_package\n")
    monkeypatch.setattr(build_lambdas, "SOURCE_DIR", tmp_path)
    with pytest.raises(build_lambdas.BuildError) as failure:
        build_lambdas.bundled_packages(function)
    expected = "fn: bundle.txt lists 'not_a_package', which is not another package of lambda_src/"
    assert str(failure.value).startswith(expected), f"got {failure.value}"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_zip_holds_nothing_that_depends_on_the_build_host(zips, function):
    # A wheel's RECORD lists the console scripts pip wrote (left out of the zip) with hashes of their shebang,
    # which names the build host's interpreter: two clones would build different zips.
    with zipfile.ZipFile(zips[function]) as archive:
        records = {n: archive.read(n).decode() for n in archive.namelist() if n.endswith(".dist-info/RECORD")}
    outside = sorted(
        f"{n}: {line}" for n, text in records.items() for line in text.splitlines() if line.startswith("../")
    )
    assert not outside, f"got RECORD lines for files outside the zip: {outside[:3]}"
