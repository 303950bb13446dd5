"""Every input validation of every module and of the root stack, with a value that breaks it and its message.

One table for the Terraform validation tests (tests/terraform/test_validations.py runs every case through the
module probe) and for the unit test that every validation block in modules/*/variables.tf and
terraform/variables.tf has a case here (tests/unit/test_validation_coverage.py). A case is
`name: (inputs, a distinctive part of the error message)`; the inputs are added to the module's REQUIRED ones.
"""

from __future__ import annotations

from typing import Any

from tests.module_probe import ROOT

Inputs = dict[str, Any]

PARQUET = {"database_name": "db", "table_name": "t"}
EVENT_PREFIX = (
    "x/year=!{partitionKeyFromQuery:year}/month=!{partitionKeyFromQuery:month}/"
    "day=!{partitionKeyFromQuery:day}/hour=!{partitionKeyFromQuery:hour}/"
)
STREAM = "arn:aws:kinesis:us-east-1:000000000000:stream/retail-trans"
KEY_GRANT = {
    "sid": "Logs",
    "service": "logs.us-east-1.amazonaws.com",
    "actions": ["kms:Decrypt"],
    "conditions": [{"test": "StringEquals", "variable": "aws:SourceAccount", "values": ["000000000000"]}],
}
VPC = {"vpc_id": "vpc-0123456789abcdef0", "subnet_ids": ["subnet-0123456789abcdef0"]}

# Valid values of each module's required inputs (paths relative to the probe root, <copy>/probe).
REQUIRED: dict[str, Inputs] = {
    "data_lake": {"bucket_name": "probe-lake"},
    "kinesis_stream": {"name": "probe-trans"},
    "firehose_s3": {"name": "probe-delivery", "bucket_arn": "arn:aws:s3:::probe-lake"},
    "glue_catalog": {"bucket_name": "probe-lake"},
    "athena": {"workgroup_name": "probe-analytics", "results_bucket_name": "probe-lake"},
    "lambda_function": {
        "name": "probe-fn",
        "filename": "../dist/compact_parquet.zip",
        "handler": "compact_parquet.handler.lambda_handler",
    },
    "opensearch": {"domain_name": "probe-domain"},
    "alarms": {"name_prefix": "probe"},
    "kms_key": {"description": "Encrypts the probe", "alias": "probe-key"},
    "quicksight": {
        "name_prefix": "probe",
        "athena_workgroup_name": "probe-analytics",
        "glue_database_name": "mydatabase",
        "table_name": "retail_trans_json",
        "owner_principal_arns": ["arn:aws:quicksight:us-east-1:000000000000:user/default/analyst"],
        "bucket_name": "probe-lake",
        "data_prefix": "00-retail-trans/",
    },
    ROOT: {"name_prefix": "probe"},
}

# The resource each module's valid call must plan (proves REQUIRED is valid, so a case fails for its own input).
PRIMARY: dict[str, str] = {
    "data_lake": "aws_s3_bucket.this",
    "kinesis_stream": "aws_kinesis_stream.this",
    "firehose_s3": "aws_kinesis_firehose_delivery_stream.this",
    "glue_catalog": "aws_glue_catalog_database.this",
    "athena": "aws_athena_workgroup.this",
    "lambda_function": "aws_lambda_function.this",
    "opensearch": "aws_opensearch_domain.this",
    "alarms": "aws_sns_topic.this",
    "kms_key": "aws_kms_key.this",
    "quicksight": "aws_quicksight_data_set.this",
    ROOT: "module.kinesis_stream.aws_kinesis_stream.this",
}

CASES: dict[str, dict[str, tuple[Inputs, str]]] = {
    "data_lake": {
        "bucket_name_charset": ({"bucket_name": "Bad_Bucket"}, "bucket_name must be 3 to 63 characters"),
        "bucket_name_dots": ({"bucket_name": "bad..bucket"}, "bucket_name must not contain consecutive dots"),
        "sse_algorithm": ({"sse_algorithm": "aws:kms:dsse"}, 'sse_algorithm must be "aws:kms" or "AES256"'),
        "kms_key_arn": ({"kms_key_arn": "my-key"}, "kms_key_arn must be a KMS key ARN"),
        "kms_deletion_window": ({"kms_deletion_window_days": 3}, "kms_deletion_window_days must be between 7"),
        "noncurrent_expiration": (
            {"noncurrent_version_expiration_days": 0},
            "noncurrent_version_expiration_days must be a positive number",
        ),
        "expiration_days": (
            {"expiration_rules": [{"id": "a", "prefix": "a/", "days": 0.5}]},
            "expiration_rules[*].days must be whole numbers",
        ),
        "expiration_prefix": (
            {"expiration_rules": [{"id": "a", "prefix": "/a/", "days": 1}]},
            "expiration_rules[*].prefix must be a non-empty key prefix",
        ),
        "expiration_ids": (
            {"expiration_rules": [{"id": "a", "prefix": "a/", "days": 1}, {"id": "a", "prefix": "b/", "days": 1}]},
            "expiration_rules[*].id must be unique",
        ),
        "abort_multipart": (
            {"abort_incomplete_multipart_upload_days": 0},
            "abort_incomplete_multipart_upload_days must be at least 1",
        ),
    },
    "kinesis_stream": {
        "name": ({"name": "retail trans"}, "name must be 1 to 128 characters"),
        "stream_mode": ({"stream_mode": "PROVISION"}, 'stream_mode must be "ON_DEMAND" or "PROVISIONED"'),
        "shard_count": ({"shard_count": 0}, "shard_count must be a whole number from 1 to 10000"),
        "retention": ({"retention_period_hours": 12}, "retention_period_hours must be between 24"),
        "kms_key_id": ({"kms_key_id": "my-key"}, "kms_key_id must be a KMS alias"),
        "metrics": ({"shard_level_metrics": ["Bogus"]}, "shard_level_metrics may only contain"),
        "kms_deletion_window_days": (
            {"kms_deletion_window_days": 31},
            "kms_deletion_window_days must be between 7 and 30 days",
        ),
    },
    "firehose_s3": {
        "name": ({"name": "uk online"}, "name must be 1 to 64 characters"),
        "kinesis_stream_arn": (
            {"kinesis_stream_arn": "arn:aws:sqs:us-east-1:000000000000:queue"},
            "kinesis_stream_arn must be a Kinesis stream ARN",
        ),
        "bucket_arn": ({"bucket_arn": "my-bucket"}, "bucket_arn must be an S3 bucket ARN"),
        "prefix": ({"prefix": "/data/"}, "prefix must be 1 to 1024 characters and must not start with a slash"),
        "error_output_prefix": (
            {"error_output_prefix": "errors/"},
            "error_output_prefix must contain !{firehose:error-output-type}",
        ),
        "buffering_size_range": ({"buffering_size": 0}, "buffering_size must be between 1 and 128 MiB"),
        "buffering_size_minimum": (
            {"buffering_size": 1, "parquet_conversion": PARQUET},
            "buffering_size must be at least 64 MiB when parquet_conversion",
        ),
        "buffering_interval": ({"buffering_interval": 30}, "buffering_interval must be between 60 and 900"),
        "record_processor_lambda_arn": (
            {"record_processor_lambda_arn": "arn:aws:sqs:us-east-1:000000000000:validate"},
            "record_processor_lambda_arn must be a Lambda function ARN",
        ),
        "compression_format": ({"compression_format": "LZ4"}, "compression_format must be one of"),
        "compression_with_parquet": (
            {"compression_format": "GZIP", "buffering_size": 64, "parquet_conversion": PARQUET},
            "compression_format must be UNCOMPRESSED when parquet_conversion is enabled",
        ),
        "parquet_compression": (
            {"buffering_size": 64, "parquet_conversion": PARQUET | {"compression": "LZO"}},
            "parquet_conversion.compression must be SNAPPY, GZIP or UNCOMPRESSED",
        ),
        "timestamp_field": (
            {
                "buffering_size": 64,
                "prefix": EVENT_PREFIX,
                "event_time_partitioning": {"timestamp_field": "Invoice Date"},
            },
            "event_time_partitioning.timestamp_field must be a plain JSON key",
        ),
        "event_time_prefix": (
            {"buffering_size": 64, "event_time_partitioning": {}},
            "prefix must use !{partitionKeyFromQuery:year}",
        ),
        "log_retention": ({"log_retention_days": 2}, "log_retention_days must be one of the values"),
    },
    "glue_catalog": {
        "database_name": ({"database_name": "My-DB"}, "database_name must be 1 to 255 characters"),
        "bucket_name": ({"bucket_name": "B"}, "bucket_name must be an S3 bucket name"),
        "json_table_name": ({"json_table_name": "retail-json"}, "json_table_name must be 1 to 255"),
        "json_prefix": ({"json_prefix": "00-retail-trans"}, "json_prefix must be an S3 folder"),
        "parquet_table_name": ({"parquet_table_name": "Parquet"}, "parquet_table_name must be 1 to 255"),
        "parquet_prefix": ({"parquet_prefix": "/parquet/"}, "parquet_prefix must be an S3 folder"),
        "parquet_compression": ({"parquet_compression": "LZO"}, "parquet_compression must be one of"),
        "column_names": (
            {"columns": [{"name": "Invoice", "type": "string"}]},
            "every columns[*].name must be lowercase",
        ),
        "column_types": (
            {"columns": [{"name": "invoice", "type": "text"}]},
            "columns[*].type must be a Hive primitive type",
        ),
        "column_partition_clash": (
            {"columns": [{"name": "year", "type": "string"}]},
            "columns[*].name must be unique and must not be year",
        ),
        "projection_years_range": (
            {"projection_years": {"first": 1900, "last": 2030}},
            "projection_years.first and projection_years.last must be whole years",
        ),
        "projection_years_order": (
            {"projection_years": {"first": 2030, "last": 2020}},
            "projection_years.first must not be after projection_years.last",
        ),
    },
    "athena": {
        "workgroup_name": ({"workgroup_name": "primary"}, "workgroup_name must be 1 to 128 characters"),
        "results_bucket_name": ({"results_bucket_name": "-lake"}, "results_bucket_name must be an S3 bucket"),
        "results_prefix": ({"results_prefix": "results"}, "results_prefix must be an S3 folder"),
        "results_kms_key_arn": ({"results_kms_key_arn": "alias/lake"}, "results_kms_key_arn must be a KMS key"),
        "expected_bucket_owner": ({"expected_bucket_owner": "12345"}, "expected_bucket_owner must be a 12-digit"),
        "bytes_scanned_cutoff": (
            {"bytes_scanned_cutoff_per_query": 1024},
            "bytes_scanned_cutoff_per_query must be a whole number of bytes, at least 10485760",
        ),
        "engine_version": ({"engine_version": "Athena engine version 2"}, "engine_version must be"),
        "database_name": ({"database_name": "my-db"}, "database_name must be 1 to 255 characters"),
        "table_name": ({"table_name": "Retail"}, "table_name must be 1 to 255 characters"),
        "top_n": ({"top_n": 0}, "top_n must be a whole number from 1 to 1000"),
    },
    ROOT: {
        "aws_region": ({"aws_region": "europe"}, "aws_region must look like an AWS region"),
        "name_prefix": ({"name_prefix": "Retail"}, "name_prefix must be 3 to 24 characters"),
        "firehose_source": ({"firehose_source": "sqs"}, 'firehose_source must be "kinesis" or "direct_put"'),
        "firehose_prefix": (
            {"firehose_prefix": "00-retail-trans/!{timestamp:yyyy}/!{timestamp:MM}/"},
            "firehose_prefix must be <folder>/year=!{timestamp:yyyy}",
        ),
        "glue_database_name": ({"glue_database_name": "my-db"}, "glue_database_name must be 1 to 255 characters"),
        "json_table_name": ({"json_table_name": "Retail"}, "json_table_name must be 1 to 255 characters"),
        "parquet_table_name": ({"parquet_table_name": "a.b"}, "parquet_table_name must be 1 to 255 characters"),
        "glue_projection_years_range": (
            {"glue_projection_years": {"first": 2009, "last": 2039.5}},
            "glue_projection_years.first and glue_projection_years.last must be whole years",
        ),
        "glue_projection_years_order": (
            {"glue_projection_years": {"first": 2039, "last": 2009}},
            "glue_projection_years.first must not be after glue_projection_years.last",
        ),
        "athena_cutoff": (
            {"athena_bytes_scanned_cutoff_per_query": 1},
            "athena_bytes_scanned_cutoff_per_query must be at least 10485760",
        ),
        # the compute, search and monitoring parts of the stack
        "lambda_log_level": ({"lambda_log_level": "TRACE"}, "lambda_log_level must be DEBUG, INFO, WARNING or ERROR"),
        "ingest_memory_size": ({"ingest_memory_size": 64}, "ingest_memory_size must be a whole number of MB"),
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
        "compaction_engine": ({"compaction_engine": "spark"}, 'compaction_engine must be "athena" or "duckdb"'),
        "compaction_late_data_window_hours": (
            {"compaction_late_data_window_hours": 721},
            "compaction_late_data_window_hours must be a whole number of hours from 0 to 720",
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
            {"enable_quicksight": True, "quicksight_principal_arns": []},
            "quicksight_principal_arns must name at least one QuickSight user or group when enable_quicksight is true",
        ),
    },
    "kms_key": {
        "description": ({"description": " "}, "description must be 1 to 8192 characters"),
        "alias_prefix": ({"alias": "alias/probe"}, "alias must be 1 to 250 letters"),
        "alias_reserved": ({"alias": "aws/probe"}, "must not start with aws/"),
        "deletion_window": ({"deletion_window_in_days": 6}, "deletion_window_in_days must be between 7 and 30"),
        "sid": ({"service_statements": [KEY_GRANT | {"sid": "Logs grant"}]}, "each sid must be letters and digits"),
        "service": (
            {"service_statements": [KEY_GRANT | {"service": "arn:aws:iam::000000000000:root"}]},
            "each service must be a service principal",
        ),
        "actions": ({"service_statements": [KEY_GRANT | {"actions": ["kms:*"]}]}, "explicit kms: actions"),
        "conditions": ({"service_statements": [KEY_GRANT | {"conditions": []}]}, "each statement needs a condition"),
    },
    "alarms": {
        "name_prefix": ({"name_prefix": "bad prefix"}, "name_prefix must be 1 to 200 characters"),
        "kms_key_arn": ({"kms_key_arn": "alias/aws/sns"}, "kms_key_arn must be a KMS key ARN"),
        "email_addresses": ({"email_addresses": ["oncall"]}, "email_addresses must contain email addresses"),
        "period_seconds": ({"period_seconds": 90}, "period_seconds must be a multiple of 60 between 60 and 86400"),
        "evaluation_periods": ({"evaluation_periods": 0}, "evaluation_periods must be a whole number from 1 to 100"),
        "firehose_freshness_threshold": (
            {"firehose_freshness_threshold_seconds": 30},
            "firehose_freshness_threshold_seconds must be at least 60 seconds",
        ),
        "kinesis_write_throttle_threshold": (
            {"kinesis_write_throttle_threshold": -1},
            "kinesis_write_throttle_threshold must be 0 or more",
        ),
        "lambda_function_names": (
            {"lambda_function_names": {"Ingest Fn": "retail-ingest"}},
            "lambda_function_names keys must be 1 to 32 lowercase letters",
        ),
        "lambda_error_threshold": ({"lambda_error_threshold": -1}, "lambda_error_threshold must be 0 or more"),
        "stream_consumer_function_names": (
            {"stream_consumer_function_names": {"INGEST": "retail-ingest"}},
            "stream_consumer_function_names keys must be 1 to 32 lowercase letters",
        ),
        "iterator_age_threshold_ms": (
            {"iterator_age_threshold_ms": 10},
            "iterator_age_threshold_ms must be at least 1000 milliseconds",
        ),
        "dead_letter_queue_names": (
            {"dead_letter_queue_names": {"dlq_1": "retail-dlq"}},
            "dead_letter_queue_names keys must be 1 to 32 lowercase letters",
        ),
        "dead_letter_queue_depth_threshold": (
            {"dead_letter_queue_depth_threshold": -5},
            "dead_letter_queue_depth_threshold must be 0 or more",
        ),
    },
    "lambda_function": {
        "name": ({"name": "bad name!"}, "name must be 1 to 64 characters"),
        "description": ({"description": "x" * 257}, "description must be at most 256 characters"),
        "filename": ({"filename": "../dist/compact_parquet.tar"}, "filename must be the path of a .zip"),
        "handler": ({"handler": "lambda_handler"}, "handler must be a dotted Python path"),
        "runtime": ({"runtime": "python2.7"}, "runtime must be one of python3.10"),
        "architecture": ({"architecture": "sparc"}, 'architecture must be "x86_64" or "arm64"'),
        "timeout": ({"timeout": 901}, "timeout must be a whole number of seconds from 1 to 900"),
        "memory_size": ({"memory_size": 64}, "memory_size must be a whole number of MB from 128 to 10240"),
        "reserved_concurrency": ({"reserved_concurrent_executions": -1}, "reserved_concurrent_executions must be"),
        "environment_key": ({"environment_variables": {"1BAD": "x"}}, "environment_variables keys must start with"),
        "environment_reserved_key": (
            {"environment_variables": {"AWS_REGION": "x"}},
            "environment_variables keys must not start with AWS_ or LAMBDA_",
        ),
        "environment_kms_key": (
            {"environment_kms_key_arn": "alias/x"},
            "environment_kms_key_arn must be a KMS key ARN",
        ),
        "policy_json": ({"policy_json": "{not json"}, "policy_json must be an IAM policy document in JSON"),
        "attach_policy_json": ({"attach_policy_json": True}, "attach_policy_json needs policy_json"),
        "log_retention_days": ({"log_retention_days": -1}, "log_retention_days must be one of the values"),
        "log_kms_key": ({"log_kms_key_arn": "key-1"}, "log_kms_key_arn must be a KMS key ARN"),
        "tracing_mode": ({"tracing_mode": "On"}, 'tracing_mode must be "PassThrough" or "Active"'),
        "vpc_subnets": (
            {"vpc_config": {"subnet_ids": [], "security_group_ids": ["sg-1"]}},
            "vpc_config.subnet_ids must list at least one subnet ID",
        ),
        "vpc_security_groups": (
            {"vpc_config": {"subnet_ids": ["subnet-1"], "security_group_ids": ["default"]}},
            "vpc_config.security_group_ids must list at least one security group ID",
        ),
        "stream_arn": (
            {"kinesis_event_source": {"stream_arn": "retail-trans"}},
            "kinesis_event_source.stream_arn must be a Kinesis stream ARN",
        ),
        "batch_size": (
            {"kinesis_event_source": {"stream_arn": STREAM, "batch_size": 10001}},
            "kinesis_event_source.batch_size must be between 1 and 10000",
        ),
        "batching_window": (
            {"kinesis_event_source": {"stream_arn": STREAM, "maximum_batching_window_in_seconds": 301}},
            "kinesis_event_source.maximum_batching_window_in_seconds must be between 0 and 300",
        ),
        "parallelization_factor": (
            {"kinesis_event_source": {"stream_arn": STREAM, "parallelization_factor": 11}},
            "kinesis_event_source.parallelization_factor must be between 1 and 10",
        ),
        "starting_position": (
            {"kinesis_event_source": {"stream_arn": STREAM, "starting_position": "EARLIEST"}},
            "kinesis_event_source.starting_position must be TRIM_HORIZON, LATEST or AT_TIMESTAMP",
        ),
        "starting_position_timestamp": (
            {"kinesis_event_source": {"stream_arn": STREAM, "starting_position": "AT_TIMESTAMP"}},
            "kinesis_event_source.starting_position_timestamp must be set exactly when",
        ),
        "maximum_retry_attempts": (
            {"kinesis_event_source": {"stream_arn": STREAM, "maximum_retry_attempts": 10001}},
            "kinesis_event_source.maximum_retry_attempts must be between 0 and 10000",
        ),
        "maximum_record_age": (
            {"kinesis_event_source": {"stream_arn": STREAM, "maximum_record_age_in_seconds": 30}},
            "kinesis_event_source.maximum_record_age_in_seconds must be between 60 and 604800",
        ),
        "dead_letter_queue_url_env_name": (
            {"dead_letter_queue_url_env_name": "dlq-url"},
            "dead_letter_queue_url_env_name must start with a letter",
        ),
        "dead_letter_queue_retention": (
            {"dead_letter_queue_message_retention_seconds": 1209601},
            "dead_letter_queue_message_retention_seconds must be between 60 and 1209600",
        ),
        "dead_letter_queue_kms_key": (
            {"dead_letter_queue_kms_key_arn": "alias/aws/sqs"},
            "dead_letter_queue_kms_key_arn must be a KMS key ARN",
        ),
        "async_retries": ({"async_maximum_retry_attempts": 3}, "async_maximum_retry_attempts must be 0, 1 or 2"),
        "async_event_age": (
            {"async_maximum_event_age_seconds": 30},
            "async_maximum_event_age_seconds must be between 60 and 21600",
        ),
        "schedule_expression": ({"schedule_expression": "every hour"}, "schedule_expression must be cron(<6 fields>)"),
    },
    "opensearch": {
        "domain_name": ({"domain_name": "Retail_Domain"}, "domain_name must be 3 to 28 characters"),
        "engine_version": ({"engine_version": "2.19"}, "engine_version must look like OpenSearch_<major>.<minor>"),
        "instance_type": ({"instance_type": "t3.small"}, "instance_type must be an OpenSearch instance type ending in"),
        "instance_count": ({"instance_count": 0}, "instance_count must be a whole number from 1 to 1002"),
        "dedicated_master_count": (
            {"dedicated_master": {"instance_type": "m7g.large.search", "count": 2}},
            "dedicated_master.count must be 3 or 5",
        ),
        "dedicated_master_type": (
            {"dedicated_master": {"instance_type": "m7g.large"}},
            "dedicated_master.instance_type must be an OpenSearch instance type",
        ),
        "zone_awareness_az_count": ({"zone_awareness_az_count": 4}, "zone_awareness_az_count must be 2, 3 or null"),
        "zone_awareness_instance_count": (
            {"zone_awareness_az_count": 2, "instance_count": 3},
            "instance_count must be a multiple of zone_awareness_az_count",
        ),
        "ebs_volume_size": ({"ebs_volume_size": 5}, "ebs_volume_size must be a whole number of GiB from 10 to 24576"),
        "ebs_iops": ({"ebs_iops": 100}, "ebs_iops must be between 3000 and 16000"),
        "ebs_throughput": ({"ebs_throughput": 2000}, "ebs_throughput must be between 125 and 1000 MiB/s"),
        "kms_key_arn": ({"kms_key_arn": "alias/aws/es"}, "kms_key_arn must be a KMS key ARN"),
        "kms_deletion_window_days": (
            {"kms_deletion_window_days": 3},
            "kms_deletion_window_days must be between 7 and 30",
        ),
        "tls_security_policy": (
            {"tls_security_policy": "Policy-Min-TLS-1-0-2019-07"},
            "tls_security_policy must be Policy-Min-TLS-1-2-PFS-2023-10 or Policy-Min-TLS-1-2-2019-07",
        ),
        "master_user_mode": ({"master_user_mode": "cognito"}, 'master_user_mode must be "iam" or "internal"'),
        "master_user_arn": ({"master_user_arn": "admin"}, "master_user_arn must be an IAM role or user ARN"),
        "master_role_trusted_principal_arns": (
            {"master_role_trusted_principal_arns": ["*"]},
            "master_role_trusted_principal_arns must contain IAM role, user or account root ARNs",
        ),
        "internal_master_user_name": (
            {"internal_master_user_name": "9admin"},
            "internal_master_user_name must be 1 to 64 characters",
        ),
        "master_user_password_version": (
            {"master_user_password_version": 0},
            "master_user_password_version must be a whole number, 1 or more",
        ),
        "access_principal_arns": (
            {"access_principal_arns": ["arn:aws:iam::000000000000:group/admins"]},
            "access_principal_arns must contain IAM role, user or account root ARNs",
        ),
        "log_types": ({"log_types": ["SLOW_LOGS"]}, "log_types may only contain ES_APPLICATION_LOGS"),
        "log_retention_days": ({"log_retention_days": -1}, "log_retention_days must be one of the values"),
        "log_kms_key_arn": ({"log_kms_key_arn": "key"}, "log_kms_key_arn must be a KMS key ARN"),
        "vpc_id": ({"vpc": VPC | {"vpc_id": "default"}}, "vpc.vpc_id must be a VPC ID"),
        "vpc_subnet_ids": ({"vpc": VPC | {"subnet_ids": []}}, "vpc.subnet_ids must list 1 to 3 subnet IDs"),
        "vpc_allowed_cidr_blocks": (
            {"vpc": VPC | {"allowed_cidr_blocks": ["10.0.0.0"]}},
            "vpc.allowed_cidr_blocks must contain IPv4 CIDR blocks",
        ),
    },
    "quicksight": {
        "name_prefix": ({"name_prefix": "bad prefix"}, "name_prefix must be 1 to 64 characters"),
        "athena_workgroup_name": ({"athena_workgroup_name": "bad/group"}, "athena_workgroup_name must be 1 to 128"),
        "glue_database_name": ({"glue_database_name": "MyDatabase"}, "glue_database_name must be 1 to 255 characters"),
        "table_name": ({"table_name": "retail-trans"}, "table_name must be 1 to 255 characters"),
        "columns": ({"columns": [{"name": "price", "type": "FLOAT"}]}, "columns must list at least one column"),
        "import_mode": ({"import_mode": "CACHED"}, 'import_mode must be "DIRECT_QUERY" or "SPICE"'),
        "owner_principal_arns_empty": ({"owner_principal_arns": []}, "owner_principal_arns must name at least one"),
        "owner_principal_arns_format": (
            {"owner_principal_arns": ["analyst"]},
            "owner_principal_arns must contain QuickSight user or group ARNs",
        ),
        "viewer_principal_arns": (
            {"viewer_principal_arns": ["arn:aws:iam::000000000000:user/analyst"]},
            "viewer_principal_arns must contain QuickSight user or group ARNs",
        ),
        "service_role_name": ({"service_role_name": "role/with/slashes"}, "service_role_name must be an IAM role name"),
        "bucket_name": ({"bucket_name": "Bad_Bucket"}, "bucket_name must be an S3 bucket name"),
        "data_prefix": ({"data_prefix": "/00-retail-trans"}, "data_prefix must be a folder such as 00-retail-trans/"),
        "athena_results_prefix": (
            {"athena_results_prefix": "athena-results"},
            "athena_results_prefix must be a folder such as athena-results/",
        ),
    },
}
