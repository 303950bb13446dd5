"""terraform/env/backend.hcl.example, as Terraform reads it: the S3 backend writes the state encrypted with the
customer managed key the example names (MiniStack records the key S3 was asked to use), and locks with a lock file.

Terraform itself parses the file (no HCL reader of ours), with the emulator's bucket and key in place of the
example's placeholders; an empty root with one terraform_data resource gives it a state to write.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.harness import random_prefix
from tools import terraform
from tools.targets import REPO_ROOT

pytestmark = pytest.mark.integration

EXAMPLE = REPO_ROOT / "terraform" / "env" / "backend.hcl.example"
PLACEHOLDER_BUCKET = 'bucket       = "my-terraform-state-bucket"'
EMULATOR_ONLY = ("use_path_style=true", "skip_credentials_validation=true", "skip_requesting_account_id=true")


def backend_file(directory: Path, bucket: str, key_arn: str) -> Path:
    text = EXAMPLE.read_text()
    assert PLACEHOLDER_BUCKET in text, f"got no {PLACEHOLDER_BUCKET!r} in {EXAMPLE}"
    lines = [
        f'kms_key_id = "{key_arn}"' if line.startswith("kms_key_id") else line
        for line in text.replace(PLACEHOLDER_BUCKET, f'bucket = "{bucket}"').splitlines()
    ]
    path = directory / "backend.hcl"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_backend_example_writes_the_state_encrypted_with_its_customer_managed_key(tmp_path, target, aws_client):
    # given: a bucket and a customer managed key on the emulator, and the example pointing at them
    bucket = random_prefix("state-")
    aws_client("s3").create_bucket(Bucket=bucket)
    key_arn = aws_client("kms").create_key(Description="Terraform state")["KeyMetadata"]["Arn"]
    (tmp_path / "main.tf").write_text('terraform {\n  backend "s3" {}\n}\n\nresource "terraform_data" "probe" {}\n')
    config = backend_file(tmp_path, bucket, key_arn)
    env = terraform.environ_for(target)
    # when
    flags = [f"-backend-config={config}", *(f"-backend-config={flag}" for flag in EMULATOR_ONLY)]
    terraform.run(["init", "-input=false", "-no-color", *flags], tmp_path, env, capture=True)
    terraform.run(["apply", "-auto-approve", "-input=false", "-no-color"], tmp_path, env, capture=True)
    # then
    head = aws_client("s3").head_object(Bucket=bucket, Key="retail-streaming-pipeline/terraform.tfstate")
    got = (head.get("ServerSideEncryption"), head.get("SSEKMSKeyId"))
    assert got == ("aws:kms", key_arn), f"got {got}, expected the state encrypted with {key_arn}"
