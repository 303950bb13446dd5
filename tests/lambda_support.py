"""Helpers for the Lambda tests: Kinesis events, a small Lambda context, sample records, module reloads."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

EVENTS_DIR = Path(__file__).parent / "events"
STREAM_ARN = "arn:aws:kinesis:us-east-1:000000000000:stream/retail-trans"


@dataclass
class FakeContext:
    """What Powertools reads from the Lambda context."""

    function_name: str = "ingest-opensearch"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:000000000000:function:ingest-opensearch"
    aws_request_id: str = "00000000-0000-0000-0000-000000000000"
    remaining_ms: int = 300_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def load_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS_DIR / name).read_text())


def kinesis_record(data: bytes, sequence: int, shard: str = "shardId-000000000000") -> dict[str, Any]:
    """One record as the Kinesis event source mapping delivers it."""
    sequence_number = f"{49_590_338_271_490_256_608_559_692_538_361_571_095_921_575_989_136_588_898 + sequence}"
    return {
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": f"pk-{sequence}",
            "sequenceNumber": sequence_number,
            "data": base64.b64encode(data).decode("ascii"),
            "approximateArrivalTimestamp": 1_764_324_000.0 + sequence / 1000,
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{shard}:{sequence_number}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": "arn:aws:iam::000000000000:role/ingest-opensearch",
        "awsRegion": "us-east-1",
        "eventSourceARN": STREAM_ARN,
    }


def kinesis_event(payloads: list[bytes], first_sequence: int = 0) -> dict[str, Any]:
    return {"Records": [kinesis_record(p, first_sequence + i) for i, p in enumerate(payloads)]}


def encode(record: dict[str, Any]) -> bytes:
    """The wire format: one JSON object, newline-terminated."""
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")


def sample_record(i: int, run: str | None = None) -> dict[str, Any]:
    """A valid record with the dataset's mess: commas, quotes, accents, empty customer, cancellations."""
    run = run or uuid.uuid4().hex[:6]
    cancelled = i % 7 == 0
    return {
        "Invoice": f"{'C' if cancelled else ''}{run}{i:05d}",
        "StockCode": ("POST", "M", "85048", "22350", "48173C")[i % 5],
        "Description": ('15CM CHRISTMAS GLASS BALL, 20 "LIGHTS" ', "CAT BOWL ", "", "CRÈME BRÛLÉE SET")[i % 4],
        "Quantity": -(i % 12 + 1) if cancelled else i % 12 + 1,
        "InvoiceDate": f"2009-12-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:00",
        "Price": (6.95, 0.0, -11062.06, 2.55, 7)[i % 5],
        "Customer_ID": "" if i % 4 == 0 else f"{13000 + i}.0",
        "Country": ("United Kingdom", "France", "EIRE")[i % 3],
    }


# Records that break the data contract, with the reason code the function must give.
POISON: list[tuple[bytes, str]] = [
    (b"not json at all\n", "not_json"),
    (b"\xff\xfe\x00garbage", "not_utf8"),
    (b'["an", "array"]\n', "not_object"),
    (b"\n", "empty"),
    (
        b'{"Invoice": "1", "StockCode": "A", "Quantity": 1, "InvoiceDate": "2009-12-01 07:45:00", "Country": "X"}\n',
        "missing_field",
    ),
    (
        b'{"Invoice": "1", "StockCode": "A", "Quantity": "12", "InvoiceDate": "2009-12-01 07:45:00", '
        b'"Price": 1.0, "Country": "X"}\n',
        "wrong_type",
    ),
    (
        b'{"Invoice": "1", "StockCode": "A", "Quantity": 1, "InvoiceDate": "01/12/2009 07:45", '
        b'"Price": 1.0, "Country": "X"}\n',
        "bad_date",
    ),
]


# --- the Lambda runtime, approximated for packaging tests ------------------------------------------------

REPO_ROOT = Path(__file__).resolve().parent.parent
RUNTIME_PYTHON = "3.12"
# What the python3.12 runtime provides besides the standard library: boto3 and its dependencies. The exact
# boto3 version varies with runtime releases; the project's pin stands in for it.
RUNTIME_PACKAGES = ("boto3==1.44.8",)


def runtime_python() -> str | None:
    """An interpreter of the Lambda runtime's Python version: $LAMBDA_RUNTIME_PYTHON, pyenv, or PATH."""
    import os
    import shutil
    import subprocess

    pattern = f".pyenv/versions/{RUNTIME_PYTHON}.*/bin/python{RUNTIME_PYTHON}"
    candidates = [os.environ.get("LAMBDA_RUNTIME_PYTHON", "")]
    candidates += sorted(str(p) for p in Path.home().glob(pattern))
    candidates.append(shutil.which(f"python{RUNTIME_PYTHON}") or "")  # may be a shim that refuses to run
    for candidate in filter(None, candidates):
        probe = subprocess.run(
            [candidate, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True, check=False
        )
        if probe.returncode == 0 and probe.stdout.strip() == str(tuple(map(int, RUNTIME_PYTHON.split(".")))):
            return candidate
    return None


def runtime_site_packages() -> Path:
    """boto3 and its dependencies for the runtime's platform, installed once under .local/ (cached)."""
    import subprocess
    import sys

    target = REPO_ROOT / ".local" / "lambda-runtime" / "-".join(p.replace("==", "") for p in RUNTIME_PACKAGES)
    stamp = target / ".complete"
    if stamp.exists():
        return target
    cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
           "--target", str(target), "--platform", "manylinux2014_x86_64", "--implementation", "cp",
           "--python-version", RUNTIME_PYTHON, "--only-binary=:all:", *RUNTIME_PACKAGES]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True)
    stamp.touch()
    return target


def drain_queue(sqs: Any, queue_url: str, idle_polls: int = 2) -> list[dict[str, Any]]:
    """Every message in the queue (received and deleted), stopping after `idle_polls` empty receives."""
    messages: list[dict[str, Any]] = []
    empty = 0
    while empty < idle_polls:
        batch = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1, MessageAttributeNames=["All"]
        ).get("Messages", [])
        if not batch:
            empty += 1
            continue
        empty = 0
        messages += batch
        receipts = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)]
        sqs.delete_message_batch(QueueUrl=queue_url, Entries=receipts)
    return messages


def create_role(iam: Any, name: str) -> str:
    """An execution role for a function deployed by a test (the emulator does not enforce IAM)."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    return iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


def deploy_function(lam: Any, name: str, role_arn: str, zip_path: Path, handler: str, env: dict[str, str]) -> str:
    """create_function with the built zip, as the Terraform module does; waits until it is Active."""
    arn = lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role_arn,
        Handler=handler,
        Code={"ZipFile": zip_path.read_bytes()},
        Timeout=300,
        MemorySize=512,
        Environment={"Variables": env},
    )["FunctionArn"]
    lam.get_waiter("function_active_v2").wait(FunctionName=name)
    return arn
