# Input validations of the root stack. `valid` plans the required inputs alone; every other run breaks one rule of
# each variable it sets and expects each of them to fail (a run fails on a variable that passes, and on any other
# error). The cases are grouped, not one run each as in the mocked files: a plan of this stack with the real
# provider costs ~3.5 s of CPU. A variable with several rules has one run per rule. A variable whose rules read other
# variables needs those at the values its own case needs, and none of them failing in the same run: Terraform skips
# the validation of a variable that reads a failed one (the run then fails on the missing failure, never passes
# wrongly). How to add a case: docs/testing.md (Input validations).
# mock_provider cannot host this stack: modules/opensearch declares an ephemeral resource, and Terraform 1.11
# mocks no ephemeral resource types. The real provider plans offline instead (fake keys, no credential or account
# lookups), with every data source that would call AWS overridden: one per module instance that reads the caller
# identity. A new one shows up as "reading STS Caller Identity" in the `valid` run; add it here.
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "offline"
  secret_key                  = "offline"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}

override_data {
  target = data.aws_caller_identity.current
  values = { account_id = "000000000000", arn = "arn:aws:iam::000000000000:user/test" }
}

override_data {
  target = module.data_lake.module.kms_key[0].data.aws_caller_identity.current
  values = { account_id = "000000000000", arn = "arn:aws:iam::000000000000:user/test" }
}

override_data {
  target = module.kinesis_stream.module.kms_key[0].data.aws_caller_identity.current
  values = { account_id = "000000000000", arn = "arn:aws:iam::000000000000:user/test" }
}

override_data {
  target = module.firehose.data.aws_caller_identity.current
  values = { account_id = "000000000000", arn = "arn:aws:iam::000000000000:user/test" }
}

override_data {
  target = module.operations_key.data.aws_caller_identity.current
  values = { account_id = "000000000000", arn = "arn:aws:iam::000000000000:user/test" }
}

override_data {
  target = module.ingest_lambda[0].data.aws_caller_identity.current
  values = { account_id = "000000000000", arn = "arn:aws:iam::000000000000:user/test" }
}

override_data {
  target = module.record_validation_lambda.data.aws_caller_identity.current
  values = { account_id = "000000000000", arn = "arn:aws:iam::000000000000:user/test" }
}

override_data {
  target = module.compaction_lambda[0].data.aws_caller_identity.current
  values = { account_id = "000000000000", arn = "arn:aws:iam::000000000000:user/test" }
}

override_data {
  target = module.opensearch[0].data.aws_caller_identity.current
  values = { account_id = "000000000000", arn = "arn:aws:iam::000000000000:user/test" }
}

override_data {
  target = module.opensearch[0].module.kms_key[0].data.aws_caller_identity.current
  values = { account_id = "000000000000", arn = "arn:aws:iam::000000000000:user/test" }
}

override_data {
  target = module.opensearch_bootstrap_lambda[0].data.aws_caller_identity.current
  values = { account_id = "000000000000", arn = "arn:aws:iam::000000000000:user/test" }
}

override_data {
  target = module.alarms[0].data.aws_caller_identity.current
  values = { account_id = "000000000000", arn = "arn:aws:iam::000000000000:user/test" }
}

override_data {
  target = module.alarms[0].module.kms_key[0].data.aws_caller_identity.current
  values = { account_id = "000000000000", arn = "arn:aws:iam::000000000000:user/test" }
}

override_data {
  target = module.quicksight[0].data.aws_caller_identity.current
  values = { account_id = "000000000000", arn = "arn:aws:iam::000000000000:user/test" }
}

override_data {
  target = data.aws_iam_session_context.current
  values = { issuer_arn = "arn:aws:iam::000000000000:user/test" }
}

override_data {
  target = module.opensearch[0].data.aws_iam_session_context.current
  values = { issuer_arn = "arn:aws:iam::000000000000:user/test" }
}

variables {
  name_prefix = "probe"
}

run "valid" {
  command = plan
  assert {
    condition     = output.kinesis_stream_name == "${var.name_prefix}-trans"
    error_message = "The required inputs alone must plan the stack's stream."
  }
}

# The first (or only) rule of every variable whose rules read no other variable set here.
run "first_rules" {
  command = plan
  variables {
    aws_region                            = "europe"
    name_prefix                           = "Retail"
    firehose_source                       = "sqs"
    firehose_prefix                       = "00-retail-trans/!{timestamp:yyyy}/!{timestamp:MM}/" # no day=, hour=
    bucket_access_log_bucket              = "Access_Logs"
    glue_database_name                    = "my-db"
    json_table_name                       = "Retail"
    parquet_table_name                    = "a.b"
    glue_projection_years                 = { first = 2009, last = 2039.5 } # not a whole year
    glue_catalog_kms_key_arn              = "my-key"
    athena_bytes_scanned_cutoff_per_query = 1
    lambda_log_level                      = "TRACE"
    ingest_opensearch_endpoint            = "search-retail.es.amazonaws.com" # no scheme
    ingest_opensearch_domain_arn          = "arn:aws:es:us-east-1:000000000000:retail"
    opensearch_index                      = "Retail"
    ingest_maximum_retry_attempts         = -2
    ingest_maximum_record_age_seconds     = -1 # out of range
    ingest_failure_retention_days         = 0
    ingest_memory_size                    = 64
    ingest_reserved_concurrency           = 1 # below one per shard at the parallelization factor
    ingest_parallelization_factor         = 2
    compaction_engine                     = "spark"
    compaction_late_data_window_hours     = 721
    compaction_query_timeout_seconds      = 900
    opensearch_admin_role_arn             = "admins"
    opensearch_retention_days             = 0.5
    opensearch_bootstrap_endpoint         = "https://search.example.com/_dashboards" # a path
    enable_quicksight                     = true
    quicksight_principal_arns             = []
    opensearch_vpc = {
      vpc_id              = "vpc-0123456789abcdef0"
      subnet_ids          = ["subnet-0123456789abcdef0"]
      function_subnet_ids = ["sg-0123456789abcdef0"] # not subnet IDs
    }
  }
  expect_failures = [
    var.aws_region,
    var.name_prefix,
    var.firehose_source,
    var.firehose_prefix,
    var.bucket_access_log_bucket,
    var.glue_database_name,
    var.json_table_name,
    var.parquet_table_name,
    var.glue_projection_years,
    var.glue_catalog_kms_key_arn,
    var.athena_bytes_scanned_cutoff_per_query,
    var.lambda_log_level,
    var.ingest_opensearch_endpoint,
    var.ingest_opensearch_domain_arn,
    var.opensearch_index,
    var.ingest_maximum_retry_attempts,
    var.ingest_maximum_record_age_seconds,
    var.ingest_failure_retention_days,
    var.ingest_memory_size,
    var.ingest_reserved_concurrency,
    var.compaction_engine,
    var.compaction_late_data_window_hours,
    var.compaction_query_timeout_seconds,
    var.opensearch_admin_role_arn,
    var.opensearch_retention_days,
    var.opensearch_bootstrap_endpoint,
    var.quicksight_principal_arns,
    var.opensearch_vpc,
  ]
}

# The second rule of the variables that have two, and the master role nobody can assume (what it reads is valid).
run "second_rules" {
  command = plan
  variables {
    glue_projection_years             = { first = 2039, last = 2009 } # first after last
    ingest_maximum_record_age_seconds = 86400                         # the stream keeps records 24 h: not an hour before that
    opensearch_bootstrap_endpoint     = "http://10.0.0.5:9200"        # plain http to a remote host
    enable_opensearch_bootstrap       = false                         # with no admin role: nobody could assume the master role
  }
  expect_failures = [
    var.glue_projection_years,
    var.ingest_maximum_record_age_seconds,
    var.opensearch_bootstrap_endpoint,
    var.enable_opensearch_bootstrap,
  ]
}

# With no OpenSearch domain in the stack.
run "without_domain" {
  command = plan
  variables {
    enable_opensearch          = false
    ingest_opensearch_endpoint = "http://search.example.com" # plain http to a remote host
    opensearch_vpc = {                                       # a VPC for a domain that is not there
      vpc_id     = "vpc-0123456789abcdef0"
      subnet_ids = ["subnet-0123456789abcdef0"]
    }
  }
  expect_failures = [var.ingest_opensearch_endpoint, var.opensearch_vpc]
}

run "opensearch_internal_master_network" {
  command = plan
  variables {
    opensearch_master_user_mode = "internal"
    enable_opensearch_bootstrap = false
  }
  expect_failures = [var.opensearch_master_user_mode]
}

run "opensearch_internal_master_bootstrap" {
  command = plan
  variables {
    opensearch_master_user_mode = "internal"
    opensearch_allowed_ip_cidrs = ["203.0.113.0/24"]
    enable_opensearch_bootstrap = true
  }
  # A valid internal master makes the plan open the module's ephemeral password, a Secrets Manager call that
  # cannot be made offline: the module is replaced by its (unknown) outputs. The rule is the root's own. Seen
  # failing ("was expected to report an error but did not") with the rule's condition made always true.
  override_module {
    target = module.opensearch[0]
  }
  expect_failures = [var.enable_opensearch_bootstrap]
}
