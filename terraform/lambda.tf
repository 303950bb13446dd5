# The two Lambda functions of the pipeline, built by `make build` into dist/ (tools/build_lambdas.py):
# - ingest: Kinesis stream -> OpenSearch, created when there is a domain to write to (enable_opensearch, or
#   ingest_opensearch_endpoint); poison records go to its SQS dead-letter queue, batches the mapping gives up on
#   are kept whole in the lake bucket under aws/lambda/ (docs/failure-model.md; `make replay` re-drives both).
# - compaction: hourly Athena CTAS of the previous hour's JSON into the Parquet table, switched in atomically, and
#   of every hour of the late-data window whose JSON changed (not created with enable_parquet_conversion:
#   Firehose then writes Parquet itself, into the same folders).

data "aws_partition" "current" {}

locals {
  arn_prefix = "arn:${data.aws_partition.current.partition}"
  account_id = data.aws_caller_identity.current.account_id
  bucket_arn = "arn:${data.aws_partition.current.partition}:s3:::${local.bucket_name}" # from the name: known at plan

  opensearch_domain_name = coalesce(var.opensearch_domain_name, var.name_prefix)
  create_ingest          = var.enable_opensearch || var.ingest_opensearch_endpoint != null
  ingest_endpoint        = var.enable_opensearch ? try(module.opensearch[0].endpoint_url, null) : var.ingest_opensearch_endpoint
  grant_opensearch       = var.enable_opensearch || var.ingest_opensearch_domain_arn != null
  opensearch_domain_arn = (var.enable_opensearch
    ? "${local.arn_prefix}:es:${local.region}:${local.account_id}:domain/${local.opensearch_domain_name}"
    : var.ingest_opensearch_domain_arn
  )

  ingest_function_name     = "${var.name_prefix}-ingest-opensearch"
  compaction_function_name = "${var.name_prefix}-compact-parquet"
  glue_arn                 = "${local.arn_prefix}:glue:${local.region}:${local.account_id}"
}

# --- Ingest: Kinesis -> OpenSearch ---------------------------------------------------------------

data "aws_iam_policy_document" "ingest" {
  count = local.create_ingest && local.grant_opensearch ? 1 : 0

  statement {
    sid     = "BulkIndex"
    actions = ["es:ESHttpPost"] # the function only sends POST /<index>/_bulk (the bootstrap does the rest)
    resources = [
      "${local.opensearch_domain_arn}/${var.opensearch_index}/_bulk",
      "${local.opensearch_domain_arn}/_bulk",
    ]
  }
}

module "ingest_lambda" {
  source = "../modules/lambda_function"
  count  = local.create_ingest ? 1 : 0

  name               = local.ingest_function_name
  description        = "Indexes the ${local.kinesis_stream_name} stream into OpenSearch (index ${var.opensearch_index})."
  filename           = "${path.module}/../dist/ingest_opensearch.zip"
  handler            = "ingest_opensearch.handler.lambda_handler"
  runtime            = "python3.12"
  timeout            = 300
  memory_size        = var.ingest_memory_size
  log_retention_days = var.lambda_log_retention_days
  log_kms_key_arn    = module.operations_key.arn

  reserved_concurrent_executions = var.ingest_reserved_concurrency
  vpc_config                     = local.function_vpc_config # network.tf: inside the domain's VPC, or null
  attach_policy_json             = local.grant_opensearch
  policy_json                    = local.grant_opensearch ? data.aws_iam_policy_document.ingest[0].json : null

  environment_variables = {
    OPENSEARCH_ENDPOINT          = local.ingest_endpoint
    OPENSEARCH_INDEX             = var.opensearch_index
    OPENSEARCH_ALLOW_HTTP        = tostring(var.opensearch_allow_http)              # http:// beyond loopback: test doubles only
    REQUIRED_FIELDS              = join(",", local.record_contract.required_fields) # contract.tf.json
    DATE_FIELDS                  = join(",", local.record_contract.date_fields)
    POWERTOOLS_SERVICE_NAME      = local.ingest_service_name # monitoring.tf: the dashboard graphs these metrics
    POWERTOOLS_METRICS_NAMESPACE = local.metrics_namespace
    LOG_LEVEL                    = var.lambda_log_level
  }
  dead_letter_queue_url_env_name = "DEAD_LETTER_QUEUE_URL" # the handler parks poison records there itself
  dead_letter_queue_kms_key_arn  = module.operations_key.arn

  # Batches the mapping gives up on land whole (records included) in the lake bucket, under aws/lambda/ (Lambda's
  # naming), encrypted with the lake's key, TLS-only like the rest of the bucket, expiring after
  # ingest_failure_retention_days (main.tf).
  kinesis_failure_bucket = {
    arn         = local.bucket_arn
    kms_key_arn = module.data_lake.kms_key_arn
  }

  kinesis_event_source = {
    stream_arn                         = module.kinesis_stream.stream_arn
    stream_kms_key_arn                 = module.kinesis_stream.kms_key_arn # kms:Decrypt on the stream's key, through Kinesis only
    batch_size                         = var.ingest_batch_size
    maximum_batching_window_in_seconds = var.ingest_batching_window_seconds
    parallelization_factor             = var.ingest_parallelization_factor
    starting_position                  = "TRIM_HORIZON" # a new mapping also indexes what the stream still holds
    bisect_batch_on_function_error     = true
    maximum_retry_attempts             = var.ingest_maximum_retry_attempts     # -1: retried until the age below
    maximum_record_age_in_seconds      = var.ingest_maximum_record_age_seconds # an hour inside the stream's retention
    report_batch_item_failures         = true
  }

  tags = local.tags
}

# --- Compaction: hourly CTAS of the JSON table into Parquet ---------------------------------------

data "aws_iam_policy_document" "compaction" {
  count = var.enable_parquet_conversion ? 0 : 1

  statement {
    sid = "RunQueriesInWorkgroup"
    actions = [
      "athena:GetQueryExecution",
      "athena:GetQueryResults",
      "athena:GetWorkGroup",
      "athena:StartQueryExecution",
      "athena:StopQueryExecution",
    ]
    resources = ["${local.arn_prefix}:athena:${local.region}:${local.account_id}:workgroup/${local.athena_workgroup_name}"]
  }

  statement {
    sid = "ReadCatalog"
    actions = [
      "glue:GetDatabase",
      "glue:GetTable",
      "glue:GetPartition",
      "glue:GetPartitions",
      "glue:BatchGetPartition",
    ]
    resources = [
      "${local.glue_arn}:catalog",
      "${local.glue_arn}:database/${local.glue_database_name}",
      "${local.glue_arn}:table/${local.glue_database_name}/${local.json_table_name}",
      "${local.glue_arn}:table/${local.glue_database_name}/${local.parquet_table_name}",
    ]
  }

  statement {
    sid = "RegisterCompactedHours"
    actions = [
      "glue:CreatePartition",
      "glue:BatchCreatePartition",
      "glue:BatchDeletePartition",
    ]
    resources = [
      "${local.glue_arn}:catalog",
      "${local.glue_arn}:database/${local.glue_database_name}",
      "${local.glue_arn}:table/${local.glue_database_name}/${local.parquet_table_name}",
    ]
  }

  statement {
    sid     = "ManageTemporaryCtasTables" # CTAS writes through <target>__ctas_<hour> tables, always dropped
    actions = ["glue:GetTable", "glue:CreateTable", "glue:DeleteTable"]
    resources = [
      "${local.glue_arn}:catalog",
      "${local.glue_arn}:database/${local.glue_database_name}",
      "${local.glue_arn}:table/${local.glue_database_name}/${local.parquet_table_name}__ctas_*",
    ]
  }

  statement {
    sid       = "ListLakeFolders"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${local.data_prefix}*", "${local.parquet_prefix}*", "${local.athena_results_prefix}*", "${local.compaction_state_prefix}*"]
    }
  }

  statement {
    sid       = "LocateBucket"
    actions   = ["s3:GetBucketLocation"]
    resources = [local.bucket_arn]
  }

  statement {
    sid       = "ReadJsonRecords"
    actions   = ["s3:GetObject"]
    resources = ["${local.bucket_arn}/${local.data_prefix}*"]
  }

  statement {
    sid = "WriteParquetAndQueryResults"
    actions = [
      "s3:AbortMultipartUpload",
      "s3:DeleteObject",
      "s3:GetObject",
      "s3:ListMultipartUploadParts",
      "s3:PutObject",
    ]
    resources = [
      "${local.bucket_arn}/${local.parquet_prefix}*",
      "${local.bucket_arn}/${local.athena_results_prefix}*",
    ]
  }

  statement {
    sid       = "KeepLockManifestsAndStagedFiles" # lambda_src/compact_parquet: lock.py, manifest.py, engines.py
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    resources = ["${local.bucket_arn}/${local.compaction_state_prefix}*"]
  }

  dynamic "statement" {
    for_each = var.bucket_sse_algorithm == "aws:kms" ? [module.data_lake.kms_key_arn] : []
    content {
      sid       = "UseLakeKeyThroughS3"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]
      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["s3.${local.region}.amazonaws.com"]
      }
    }
  }
}

module "compaction_lambda" {
  source = "../modules/lambda_function"
  # With Parquet conversion Firehose already writes Parquet into the same folders: nothing to compact.
  count = var.enable_parquet_conversion ? 0 : 1

  name               = local.compaction_function_name
  description        = "Compacts the previous hour of ${local.json_table_name} into Parquet (${local.parquet_table_name})."
  filename           = "${path.module}/../dist/compact_parquet.zip"
  handler            = "compact_parquet.handler.lambda_handler"
  runtime            = "python3.12"
  timeout            = 900
  memory_size        = 256
  log_retention_days = var.lambda_log_retention_days
  log_kms_key_arn    = module.operations_key.arn

  attach_policy_json = true
  policy_json        = data.aws_iam_policy_document.compaction[0].json

  environment_variables = merge({
    ATHENA_WORKGROUP        = local.athena_workgroup_name
    GLUE_DATABASE           = local.glue_database_name
    SOURCE_TABLE            = local.json_table_name
    TARGET_TABLE            = local.parquet_table_name
    TARGET_LOCATION         = "s3://${local.bucket_name}/${local.parquet_prefix}"
    STATE_LOCATION          = "s3://${local.bucket_name}/${local.compaction_state_prefix}"
    COMPACTION_ENGINE       = var.compaction_engine
    LATE_DATA_WINDOW_HOURS  = tostring(var.compaction_late_data_window_hours)
    QUERY_TIMEOUT_SECONDS   = tostring(var.compaction_query_timeout_seconds)
    POWERTOOLS_SERVICE_NAME = local.compaction_service_name
    LOG_LEVEL               = var.lambda_log_level

    # RowsCompacted (Powertools EMF) goes to this namespace; monitoring.tf's dashboard graphs it.
    POWERTOOLS_METRICS_NAMESPACE = local.metrics_namespace
    }, # every object it writes is SSE-KMS with the lake's key (the bucket policy denies any other PutObject)
    var.bucket_sse_algorithm == "aws:kms" ? { LAKE_KMS_KEY_ARN = module.data_lake.kms_key_arn } : {},
  )

  schedule_expression = var.compaction_schedule
  # Scheduled runs are asynchronous: a run that still fails after two retries lands in this queue.
  create_dead_letter_queue       = true
  dead_letter_queue_url_env_name = null
  dead_letter_queue_kms_key_arn  = module.operations_key.arn

  tags = local.tags
}
