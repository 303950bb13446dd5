"""Each input validation the root stack adds for its compute, search and monitoring parts fails at plan."""

from __future__ import annotations

import pytest
import tftest

from tests.harness import random_prefix

pytestmark = pytest.mark.plan

CASES = {
    "lambda_log_level": ({"lambda_log_level": "TRACE"}, "lambda_log_level must be DEBUG, INFO, WARNING or ERROR"),
    "ingest_opensearch_endpoint": (
        {"ingest_opensearch_endpoint": "search-retail.es.amazonaws.com"},
        "ingest_opensearch_endpoint must be a URL with scheme and host",
    ),
    "ingest_opensearch_domain_arn": (
        {"ingest_opensearch_domain_arn": "arn:aws:es:us-east-1:000000000000:retail"},
        "ingest_opensearch_domain_arn must be an OpenSearch domain ARN",
    ),
    "opensearch_index": ({"opensearch_index": "Retail"}, "opensearch_index must be 1 to 255 characters"),
    "compaction_query_timeout_seconds": (
        {"compaction_query_timeout_seconds": 900},
        "compaction_query_timeout_seconds must be between 30 and 840 seconds",
    ),
    "opensearch_retention_days": (
        {"opensearch_retention_days": 0.5},
        "opensearch_retention_days must be a whole number of days, at least 1",
    ),
    "opensearch_bootstrap_endpoint": (
        {"opensearch_bootstrap_endpoint": "https://search.example.com/_dashboards"},
        "opensearch_bootstrap_endpoint must be an http(s) URL with a host and no path",
    ),
    "quicksight_principal_arns": (
        {"enable_quicksight": "true"},
        "quicksight_principal_arns must name at least one QuickSight user or group when enable_quicksight is true",
    ),
}


@pytest.fixture(scope="module")
def stack(make_stack):
    return make_stack("terraform", var_files=["env/local.tfvars"], tf_vars={"name_prefix": random_prefix()})


@pytest.mark.parametrize(("tf_vars", "message"), CASES.values(), ids=CASES.keys())
def test_invalid_root_input_fails_with_its_message(stack, tf_vars, message):
    with pytest.raises(tftest.TerraformTestError) as failure:
        stack.tf.plan(tf_vars=stack.tf_vars | tf_vars, tf_var_file=stack.var_files, color=False)
    error = " ".join(" ".join(str(a) for a in failure.value.args).split())
    assert message in error, f"got:\n{error[-1500:]}\nexpected the message: {message}"
