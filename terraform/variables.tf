variable "aws_region" {
  description = "Region to deploy to. Null uses AWS_REGION or the profile's region."
  type        = string
  default     = null

  validation {
    condition     = var.aws_region == null || can(regex("^[a-z]{2}(-[a-z]+)+-\\d$", var.aws_region))
    error_message = "aws_region must look like an AWS region (e.g. us-east-1, eu-west-2), or be null."
  }
}

variable "name_prefix" {
  description = "Prefix of every resource name, so several deployments can share an account. The lab's names come from the default."
  type        = string
  default     = "retail"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,22}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3 to 24 characters of lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen."
  }
}

variable "tags" {
  description = "Tags added to every resource (merged over Project and ManagedBy)."
  type        = map(string)
  default     = {}
}

# --- Kinesis Data Stream -------------------------------------------------------------------------

variable "kinesis_stream_name" {
  description = "Name of the Kinesis data stream. Null gives <name_prefix>-trans (the lab's retail-trans)."
  type        = string
  default     = null
}

variable "kinesis_stream_mode" {
  description = "ON_DEMAND or PROVISIONED capacity for the stream."
  type        = string
  default     = "ON_DEMAND"
}

variable "kinesis_shard_count" {
  description = "Shards when kinesis_stream_mode is PROVISIONED."
  type        = number
  default     = 1
}

variable "kinesis_retention_hours" {
  description = "Hours records stay in the stream (24 to 8760)."
  type        = number
  default     = 24
}

# --- Firehose to S3 ------------------------------------------------------------------------------

variable "firehose_name" {
  description = "Name of the Firehose delivery stream. Null gives uk-online-<name_prefix>-trans (the lab's uk-online-retail-trans)."
  type        = string
  default     = null
}

variable "firehose_source" {
  description = "Where Firehose reads: \"kinesis\" (the stream feeds Firehose and the ingest Lambda) or \"direct_put\" (the lab's first version: producers write to Firehose)."
  type        = string
  default     = "kinesis"

  validation {
    condition     = contains(["kinesis", "direct_put"], var.firehose_source)
    error_message = "firehose_source must be \"kinesis\" or \"direct_put\"."
  }
}

variable "firehose_prefix" {
  description = "S3 prefix of delivered records (arrival-time partitions, UTC): a folder, then the hour partitions the Glue tables project. With enable_event_time_partitioning or enable_parquet_conversion the stack derives the prefix from its folder."
  type        = string
  default     = "00-retail-trans/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-][A-Za-z0-9_./-]*/year=!\\{timestamp:yyyy\\}/month=!\\{timestamp:MM\\}/day=!\\{timestamp:dd\\}/hour=!\\{timestamp:HH\\}/$", var.firehose_prefix))
    error_message = "firehose_prefix must be <folder>/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/, the layout the Glue tables' partition projection reads."
  }
}

variable "firehose_error_prefix" {
  description = "S3 prefix of records Firehose failed to deliver."
  type        = string
  default     = "00-error/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/!{firehose:error-output-type}"
}

variable "firehose_buffering_size" {
  description = "MiB Firehose buffers before writing to S3."
  type        = number
  default     = 1
}

variable "firehose_buffering_interval" {
  description = "Seconds Firehose buffers before writing to S3."
  type        = number
  default     = 60
}

variable "enable_parquet_conversion" {
  description = "Firehose converts records to Parquet (Snappy) with the Parquet table's schema and writes them under the Parquet folder; the named queries then read the Parquet table. Raises Firehose buffering to at least 64 MiB (an AWS requirement)."
  type        = bool
  default     = false
}

variable "enable_event_time_partitioning" {
  description = "Firehose partitions records by their InvoiceDate (dynamic partitioning) instead of their arrival time; same year=/month=/day=/hour= layout. Raises Firehose buffering to at least 64 MiB (an AWS requirement)."
  type        = bool
  default     = false
}

variable "firehose_compression" {
  description = "Compression of delivered objects (UNCOMPRESSED keeps the lab's plain JSON lines)."
  type        = string
  default     = "UNCOMPRESSED"
}

# --- S3 data lake --------------------------------------------------------------------------------

variable "bucket_name" {
  description = "Name of the data-lake bucket. Null gives <name_prefix>-<region>-<account>."
  type        = string
  default     = null
}

variable "bucket_force_destroy" {
  description = "Let destroy delete a bucket that still holds objects. False protects real data."
  type        = bool
  default     = false
}

variable "bucket_sse_algorithm" {
  description = "aws:kms (customer managed key created for the bucket) or AES256."
  type        = string
  default     = "aws:kms"
}

variable "error_retention_days" {
  description = "Days Firehose error output is kept."
  type        = number
  default     = 30
}

variable "athena_results_retention_days" {
  description = "Days Athena query results are kept."
  type        = number
  default     = 7
}

variable "bucket_enforce_upload_encryption" {
  description = "The lake's bucket policy refuses uploads that do not ask for SSE-KMS with the lake's key (or for AES256 with bucket_sse_algorithm = AES256). Firehose and Athena send it; your own writers must send ServerSideEncryption and SSEKMSKeyId = bucket_kms_key_arn."
  type        = bool
  default     = true
}

variable "bucket_access_log_bucket" {
  description = "An existing bucket that receives the lake's S3 server access logs under s3-access/<bucket>/ (it must let logging.s3.amazonaws.com write, and use SSE-S3: AWS delivers access logs to no other encryption). Null: no access logs."
  type        = string
  default     = null

  validation {
    condition     = var.bucket_access_log_bucket == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_access_log_bucket))
    error_message = "bucket_access_log_bucket must be a bucket name (3 to 63 lowercase letters, digits, dots and hyphens), or null."
  }
}

# --- Glue Data Catalog ---------------------------------------------------------------------------

variable "glue_database_name" {
  description = "Glue database holding the pipeline's tables."
  type        = string
  default     = "mydatabase"

  validation {
    condition     = can(regex("^[a-z0-9_]{1,255}$", var.glue_database_name))
    error_message = "glue_database_name must be 1 to 255 characters of lowercase letters, digits and underscores."
  }
}

variable "json_table_name" {
  description = "Glue table over the JSON records Firehose delivers."
  type        = string
  default     = "retail_trans_json"

  validation {
    condition     = can(regex("^[a-z0-9_]{1,255}$", var.json_table_name))
    error_message = "json_table_name must be 1 to 255 characters of lowercase letters, digits and underscores."
  }
}

variable "parquet_table_name" {
  description = "Glue table over the compacted Parquet files."
  type        = string
  default     = "ctas_retail_trans_parquet"

  validation {
    condition     = can(regex("^[a-z0-9_]{1,255}$", var.parquet_table_name))
    error_message = "parquet_table_name must be 1 to 255 characters of lowercase letters, digits and underscores."
  }
}

variable "glue_projection_years" {
  description = "First and last year the tables' partition projection covers; Athena enumerates every hour of it for queries without a year filter."
  type = object({
    first = number
    last  = number
  })
  default = { first = 2009, last = 2039 }

  validation {
    condition     = alltrue([for y in [var.glue_projection_years.first, var.glue_projection_years.last] : floor(y) == y && y >= 1970 && y <= 9999])
    error_message = "glue_projection_years.first and glue_projection_years.last must be whole years from 1970 to 9999."
  }

  validation {
    condition     = var.glue_projection_years.first <= var.glue_projection_years.last
    error_message = "glue_projection_years.first must not be after glue_projection_years.last."
  }
}

variable "enable_glue_catalog_encryption" {
  description = "Encrypt the Glue Data Catalog (table metadata and connection passwords) with a customer managed key. Account-wide: it covers every database of the account in this region, and every principal reading the catalog then needs kms:Decrypt on the key through Glue (the stack grants its own roles; see docs/security.md). Off by default; turn it on from one stack per account and region."
  type        = bool
  default     = false
}

variable "glue_catalog_kms_key_arn" {
  description = "With enable_glue_catalog_encryption: an existing customer managed key for the catalog (e.g. the one another stack of the account already uses). Null creates alias/<name_prefix>-glue-catalog."
  type        = string
  default     = null

  validation {
    condition     = var.glue_catalog_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:key/.+$", var.glue_catalog_kms_key_arn))
    error_message = "glue_catalog_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>), or null."
  }
}

# --- Athena --------------------------------------------------------------------------------------

variable "athena_bytes_scanned_cutoff_per_query" {
  description = "Athena cancels a query of the workgroup that scans more than this many bytes (at least 10485760). Null sets no limit."
  type        = number
  default     = 10737418240 # 10 GiB

  validation {
    condition     = var.athena_bytes_scanned_cutoff_per_query == null || try(var.athena_bytes_scanned_cutoff_per_query >= 10485760, false)
    error_message = "athena_bytes_scanned_cutoff_per_query must be at least 10485760 bytes (10 MB), or null for no limit."
  }
}

variable "athena_enforce_workgroup_configuration" {
  description = "The workgroup's result location, encryption and cutoff override any client setting."
  type        = bool
  default     = true
}

variable "athena_publish_cloudwatch_metrics" {
  description = "Publish the workgroup's query metrics to CloudWatch."
  type        = bool
  default     = true
}

variable "athena_workgroup_force_destroy" {
  description = "Let destroy delete the workgroup even when users saved their own queries in it."
  type        = bool
  default     = false
}

# --- Lambda functions ----------------------------------------------------------------------------

variable "lambda_log_retention_days" {
  description = "Retention of the Lambda functions' log groups, in days."
  type        = number
  default     = 365
}

variable "lambda_log_level" {
  description = "Log level of the Lambda functions (LOG_LEVEL): DEBUG, INFO, WARNING or ERROR."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.lambda_log_level)
    error_message = "lambda_log_level must be DEBUG, INFO, WARNING or ERROR."
  }
}

variable "ingest_opensearch_endpoint" {
  description = "OpenSearch endpoint URL for the ingest Lambda when enable_opensearch is false (an existing domain, or a local test double). Ignored with enable_opensearch (the stack's domain is used). With neither, no ingest function is created."
  type        = string
  default     = null

  validation {
    condition     = var.ingest_opensearch_endpoint == null || can(regex("^https?://[^/\\s]+/?$", var.ingest_opensearch_endpoint))
    error_message = "ingest_opensearch_endpoint must be a URL with scheme and host (e.g. https://search-retail-abc.us-east-1.es.amazonaws.com), or null."
  }
  validation {
    condition     = var.ingest_opensearch_endpoint == null || !startswith(coalesce(var.ingest_opensearch_endpoint, "-"), "http://") || var.opensearch_allow_http || can(regex("^http://(localhost|127(\\.[0-9]{1,3}){3}|\\[::1\\])(:[0-9]+)?/?$", var.ingest_opensearch_endpoint))
    error_message = "ingest_opensearch_endpoint must use https:// (the function signs its requests); http:// is accepted only for 127.0.0.1, localhost or [::1] (a local test double), or with opensearch_allow_http = true."
  }
}

variable "ingest_opensearch_domain_arn" {
  description = "ARN of the existing domain behind ingest_opensearch_endpoint; the ingest role gets es:ESHttpPost/Put/Get on it. Null grants no OpenSearch access (e.g. a test double)."
  type        = string
  default     = null

  validation {
    condition     = var.ingest_opensearch_domain_arn == null || can(regex("^arn:aws[a-z-]*:es:[a-z0-9-]+:\\d{12}:domain/[a-z][a-z0-9-]{2,27}$", var.ingest_opensearch_domain_arn))
    error_message = "ingest_opensearch_domain_arn must be an OpenSearch domain ARN (arn:aws:es:<region>:<account>:domain/<name>), or null."
  }
}

variable "opensearch_index" {
  description = "Index the ingest Lambda writes to (the lab's retail)."
  type        = string
  default     = "retail"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9_-]{0,254}$", var.opensearch_index))
    error_message = "opensearch_index must be 1 to 255 characters of lowercase letters, digits, hyphens and underscores, starting with a letter or digit."
  }
}

variable "ingest_batch_size" {
  description = "Records per ingest invocation (the lab's 1000)."
  type        = number
  default     = 1000
}

variable "ingest_batching_window_seconds" {
  description = "Seconds the event source mapping may wait to fill a batch (0 to 300)."
  type        = number
  default     = 1
}

variable "ingest_parallelization_factor" {
  description = "Concurrent ingest batches per shard (1 to 10); raise it when the iterator age grows."
  type        = number
  default     = 1
}

variable "ingest_maximum_retry_attempts" {
  description = "Retries of a batch with records OpenSearch did not take (429, 5xx, no answer) before the mapping keeps it in the failure store (aws/lambda/ in the lake bucket). -1 (the default) retries until ingest_maximum_record_age_seconds: an outage shorter than that heals by itself, in order, while the shard waits (docs/failure-model.md). 0 to 10000, or -1."
  type        = number
  default     = -1

  validation {
    condition     = var.ingest_maximum_retry_attempts == -1 || (var.ingest_maximum_retry_attempts >= 0 && var.ingest_maximum_retry_attempts <= 10000 && floor(var.ingest_maximum_retry_attempts) == var.ingest_maximum_retry_attempts)
    error_message = "ingest_maximum_retry_attempts must be a whole number from 0 to 10000, or -1 to retry until ingest_maximum_record_age_seconds."
  }
}

variable "ingest_maximum_record_age_seconds" {
  description = "Records older than this are no longer retried: their batch goes whole to the failure store (aws/lambda/ in the lake bucket). It bounds how long one shard waits on a failing search domain, and must end an hour before the stream's retention (kinesis_retention_hours) so that no record expires in the stream first. 60 to 604800."
  type        = number
  default     = 21600 # 6 hours

  validation {
    condition     = var.ingest_maximum_record_age_seconds >= 60 && var.ingest_maximum_record_age_seconds <= 604800 && floor(var.ingest_maximum_record_age_seconds) == var.ingest_maximum_record_age_seconds
    error_message = "ingest_maximum_record_age_seconds must be a whole number of seconds from 60 to 604800 (-1, no limit, would let records expire in the stream unindexed and unkept)."
  }

  validation {
    condition     = var.ingest_maximum_record_age_seconds <= var.kinesis_retention_hours * 3600 - 3600
    error_message = "ingest_maximum_record_age_seconds must end at least an hour before the stream's retention (kinesis_retention_hours * 3600 - 3600 seconds): a record older than the retention is gone from the stream before the mapping can keep it in the failure store."
  }
}

variable "ingest_failure_retention_days" {
  description = "Days the failure store keeps the batches the ingest mapping gave up on (objects under aws/lambda/ in the lake bucket) for `make replay`; a batch not replayed by then is deleted."
  type        = number
  default     = 30

  validation {
    condition     = var.ingest_failure_retention_days >= 1 && floor(var.ingest_failure_retention_days) == var.ingest_failure_retention_days
    error_message = "ingest_failure_retention_days must be a whole number of days, 1 or more."
  }
}

variable "ingest_reserved_concurrency" {
  description = "Concurrency reserved for (and capping) the ingest function, to protect the domain. At least ingest_parallelization_factor batches per shard must run at once (for a PROVISIONED stream, times kinesis_shard_count), or the mapping is throttled and records wait until they reach ingest_maximum_record_age_seconds. Null: unreserved."
  type        = number
  default     = null

  validation {
    condition = var.ingest_reserved_concurrency == null || try(
      var.ingest_reserved_concurrency >= var.ingest_parallelization_factor * (var.kinesis_stream_mode == "PROVISIONED" ? var.kinesis_shard_count : 1),
      false
    )
    error_message = "ingest_reserved_concurrency must be at least ingest_parallelization_factor (times kinesis_shard_count for a PROVISIONED stream), or null: fewer concurrent runs than the mapping's batches in flight throttle it until records age out to the failure store."
  }
}

variable "ingest_memory_size" {
  description = "Memory of the ingest function in MB; CPU grows with it (1769 MB is one full vCPU), which bulk encoding uses at high rates."
  type        = number
  default     = 512

  validation {
    condition     = var.ingest_memory_size >= 128 && var.ingest_memory_size <= 10240 && floor(var.ingest_memory_size) == var.ingest_memory_size
    error_message = "ingest_memory_size must be a whole number of MB from 128 to 10240."
  }
}

variable "compaction_schedule" {
  description = "EventBridge schedule of the compaction Lambda (UTC): hourly at minute 5 compacts the previous hour."
  type        = string
  default     = "cron(5 * * * ? *)"
}

variable "compaction_engine" {
  description = "How the compaction function builds an hour's Parquet file: athena (a CTAS query; what runs on AWS) or duckdb (converted inside the function; DuckDB is not in its zip, so only where the runtime has it, such as the local emulator, whose Athena has no CTAS)."
  type        = string
  default     = "athena"

  validation {
    condition     = contains(["athena", "duckdb"], var.compaction_engine)
    error_message = "compaction_engine must be \"athena\" or \"duckdb\"."
  }
}

variable "compaction_late_data_window_hours" {
  description = "Hours before the scheduled one that each compaction run re-checks: an hour whose JSON changed since it was compacted (late Firehose objects, re-driven records) is compacted again. 0 checks only the previous hour; the backfill CLI covers older hours."
  type        = number
  default     = 48

  validation {
    condition     = var.compaction_late_data_window_hours >= 0 && var.compaction_late_data_window_hours <= 720 && floor(var.compaction_late_data_window_hours) == var.compaction_late_data_window_hours
    error_message = "compaction_late_data_window_hours must be a whole number of hours from 0 to 720 (30 days)."
  }
}

variable "compaction_query_timeout_seconds" {
  description = "Seconds the compaction Lambda waits for any one Athena query; all queries of a run also share one deadline, the function's 900 s timeout minus a margin."
  type        = number
  default     = 600

  validation {
    condition     = var.compaction_query_timeout_seconds >= 30 && var.compaction_query_timeout_seconds <= 840
    error_message = "compaction_query_timeout_seconds must be between 30 and 840 seconds (the function itself stops at 900)."
  }
}

# --- OpenSearch ----------------------------------------------------------------------------------

variable "enable_opensearch" {
  description = "Create the OpenSearch domain and feed it with the ingest Lambda. Creating or deleting a domain takes 10+ minutes (a fixed wait in provider 5.100, even on emulators): env/local.tfvars turns it off."
  type        = bool
  default     = true
}

variable "opensearch_domain_name" {
  description = "Name of the OpenSearch domain. Null gives <name_prefix> (the lab's retail)."
  type        = string
  default     = null
}

variable "opensearch_engine_version" {
  description = "Engine version of the domain, e.g. OpenSearch_2.19."
  type        = string
  default     = "OpenSearch_2.19"
}

variable "opensearch_instance_type" {
  description = "Instance type of the domain's data nodes."
  type        = string
  default     = "t3.small.search"
}

variable "opensearch_instance_count" {
  description = "Number of data nodes."
  type        = number
  default     = 1
}

variable "opensearch_volume_size" {
  description = "GiB of gp3 storage per data node."
  type        = number
  default     = 10
}

variable "opensearch_dedicated_master" {
  description = "Dedicated master nodes, e.g. { instance_type = \"m6g.large.search\", count = 3 } (recommended from ~10k records/s). Null: the data nodes are also masters."
  type = object({
    instance_type = string
    count         = optional(number, 3)
  })
  default = null
}

variable "opensearch_zone_awareness_az_count" {
  description = "Spread the data nodes over 2 or 3 Availability Zones; opensearch_instance_count must be a multiple of it. Null keeps them in one zone."
  type        = number
  default     = null
}

variable "opensearch_master_user_mode" {
  description = "Fine-grained access control master: \"iam\" (a role, no password) or \"internal\" (a user whose password is in Secrets Manager; needs opensearch_vpc or opensearch_allowed_ip_cidrs, and enable_opensearch_bootstrap = false)."
  type        = string
  default     = "iam"

  validation {
    condition     = var.opensearch_master_user_mode != "internal" || var.opensearch_vpc != null || length(var.opensearch_allowed_ip_cidrs) > 0
    error_message = "opensearch_master_user_mode = \"internal\" needs opensearch_vpc or opensearch_allowed_ip_cidrs: a password sign-in cannot be narrowed by IAM, so only the network can narrow who reaches the domain."
  }

}

variable "opensearch_admin_role_arn" {
  description = "An IAM role of your OpenSearch administrators that may assume the master role the stack creates (to use Dashboards' security pages or the security API). Null: only the bootstrap function may."
  type        = string
  default     = null

  validation {
    condition     = var.opensearch_admin_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::\\d{12}:role/.+$", coalesce(var.opensearch_admin_role_arn, "-")))
    error_message = "opensearch_admin_role_arn must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), or null."
  }
}

variable "opensearch_master_trusts_terraform_caller" {
  description = "Also let the identity running Terraform (its role, for an assumed-role session) assume the master role: everyone who can use that role then administers the domain. Off by default; prefer opensearch_admin_role_arn."
  type        = bool
  default     = false
}

variable "opensearch_allowed_ip_cidrs" {
  description = "Public domain with opensearch_master_user_mode = internal: the IPv4 ranges from which internal users may sign in (required then). Not for VPC domains: use opensearch_vpc.allowed_cidr_blocks."
  type        = list(string)
  default     = []
}

variable "opensearch_vpc" {
  description = "Put the domain in a VPC (no public endpoint): its subnets (one per Availability Zone used), the functions' subnets (default: the same), networks allowed to reach it on 443 besides the functions (a VPN, a bastion), whether to create the SQS and STS interface endpoints the functions need (false when the VPC has them, or a NAT), and whether to create OpenSearch's service-linked role (once per account). Null: a public endpoint behind IAM and fine-grained access control. See examples/opensearch-vpc."
  type = object({
    vpc_id                     = string
    subnet_ids                 = list(string)
    function_subnet_ids        = optional(list(string))
    endpoint_subnet_ids        = optional(list(string))
    allowed_cidr_blocks        = optional(list(string), [])
    create_endpoints           = optional(bool, true)
    create_service_linked_role = optional(bool, false)
  })
  default = null

  validation {
    condition     = var.opensearch_vpc == null || try(alltrue([for s in concat(coalesce(var.opensearch_vpc.function_subnet_ids, ["subnet-"]), coalesce(var.opensearch_vpc.endpoint_subnet_ids, ["subnet-"])) : startswith(s, "subnet-")]), false)
    error_message = "opensearch_vpc.function_subnet_ids and opensearch_vpc.endpoint_subnet_ids must list subnet IDs (subnet-...), or be null to use opensearch_vpc.subnet_ids."
  }

  validation {
    condition     = var.opensearch_vpc == null || var.enable_opensearch
    error_message = "opensearch_vpc needs enable_opensearch = true: it places the stack's domain, and there is none."
  }
}

variable "opensearch_master_user_arn" {
  description = "With the iam master mode: an existing IAM role or user to be master. Null creates <domain>-opensearch-master, assumable by the identity running Terraform."
  type        = string
  default     = null
}

# --- Alarms --------------------------------------------------------------------------------------

variable "enable_alarms" {
  description = "Create the encrypted SNS topic and the CloudWatch alarms (Firehose freshness and error objects, Kinesis throttling, Lambda errors and iterator age, dead-letter queue depth)."
  type        = bool
  default     = true
}

variable "enable_operations_dashboard" {
  description = "Create the CloudWatch dashboard <name_prefix>-operations (stream, Firehose, functions, dead letters; docs/operations.md)."
  type        = bool
  default     = true
}

variable "enable_error_prefix_metrics" {
  description = "Turn on S3 request metrics for Firehose's error prefix (billed as CloudWatch custom metrics): the alarm on new error objects and the dashboard's error-prefix graph read them."
  type        = bool
  default     = true
}

variable "alarm_email_addresses" {
  description = "Email addresses subscribed to the alarm topic."
  type        = list(string)
  default     = []
}

# --- QuickSight ----------------------------------------------------------------------------------

variable "enable_quicksight" {
  description = "Create the QuickSight Athena data source (running as a role of its own), a dataset over the JSON table, and the lab's visuals as an analysis and a dashboard. Needs a QuickSight subscription in the account."
  type        = bool
  default     = false
}

variable "quicksight_principal_arns" {
  description = "QuickSight users or groups that own the data source, dataset, analysis and dashboard (arn:aws:quicksight:<identity region>:<account>:user/default/<name>)."
  type        = list(string)
  default     = []

  validation {
    condition     = !var.enable_quicksight || length(var.quicksight_principal_arns) > 0
    error_message = "quicksight_principal_arns must name at least one QuickSight user or group when enable_quicksight is true."
  }
}

variable "quicksight_viewer_principal_arns" {
  description = "QuickSight users or groups that may read the dashboard and build analyses on the dataset, without changing either."
  type        = list(string)
  default     = []
}

variable "enable_opensearch_bootstrap" {
  description = "With enable_opensearch: run the bootstrap Lambda on apply (index template, ISM policy, role mapping of the ingest function, audit logging, Dashboards objects)."
  type        = bool
  default     = true

  validation {
    condition     = var.enable_opensearch_bootstrap || !var.enable_opensearch || var.opensearch_master_user_mode != "iam" || var.opensearch_master_user_arn != null || var.opensearch_admin_role_arn != null || var.opensearch_master_trusts_terraform_caller
    error_message = "enable_opensearch_bootstrap = false needs opensearch_admin_role_arn (or opensearch_master_trusts_terraform_caller = true) when the stack creates the master role: nobody else could assume it."
  }

  # Both rules that tie the bootstrap to the master mode live here: a validation of opensearch_master_user_mode
  # naming enable_opensearch_bootstrap would make the two variables' validations depend on each other (a cycle).
  validation {
    condition     = !var.enable_opensearch_bootstrap || !var.enable_opensearch || var.opensearch_master_user_mode != "internal"
    error_message = "enable_opensearch_bootstrap must be false with opensearch_master_user_mode = \"internal\": the bootstrap signs its requests with IAM, which an internal master domain maps to no OpenSearch role."
  }
}

variable "opensearch_retention_days" {
  description = "Days the ISM policy keeps an index after it was created (rolled over daily or at 30 GB)."
  type        = number
  default     = 30

  validation {
    condition     = var.opensearch_retention_days >= 1 && floor(var.opensearch_retention_days) == var.opensearch_retention_days
    error_message = "opensearch_retention_days must be a whole number of days, at least 1."
  }
}

variable "opensearch_bootstrap_endpoint" {
  description = "URL the bootstrap uses to reach the domain, when not the domain's own https endpoint (e.g. a custom endpoint or a proxy). Null uses the domain's endpoint."
  type        = string
  default     = null

  validation {
    condition     = var.opensearch_bootstrap_endpoint == null || can(regex("^https?://[^/]+/?$", var.opensearch_bootstrap_endpoint))
    error_message = "opensearch_bootstrap_endpoint must be an http(s) URL with a host and no path, or null."
  }
  validation {
    condition     = var.opensearch_bootstrap_endpoint == null || !startswith(coalesce(var.opensearch_bootstrap_endpoint, "-"), "http://") || var.opensearch_allow_http || can(regex("^http://(localhost|127(\\.[0-9]{1,3}){3}|\\[::1\\])(:[0-9]+)?/?$", var.opensearch_bootstrap_endpoint))
    error_message = "opensearch_bootstrap_endpoint must use https:// (the bootstrap signs its requests); http:// is accepted only for 127.0.0.1, localhost or [::1] (a local test double), or with opensearch_allow_http = true."
  }
}

variable "opensearch_allow_http" {
  description = "Let the ingest and bootstrap functions send their signed requests over http:// to a host other than their own machine (a test double in another container). Loopback hosts (127.0.0.1, localhost) never need it. Never set it for a real domain: the requests carry the role's session token."
  type        = bool
  default     = false
}
