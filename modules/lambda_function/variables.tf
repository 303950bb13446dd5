variable "name" {
  description = "Name of the function. Also names its IAM role, its log group (/aws/lambda/<name>) and its dead-letter queue (<name>-dlq)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,64}$", var.name))
    error_message = "name must be 1 to 64 characters of letters, digits, hyphens and underscores."
  }
}

variable "description" {
  description = "Description of the function."
  type        = string
  default     = ""

  validation {
    condition     = length(var.description) <= 256
    error_message = "description must be at most 256 characters."
  }
}

variable "filename" {
  description = "Path of the deployment package (a .zip the build produces, e.g. dist/<function>.zip). Its SHA-256 is the source_code_hash, so the function is updated only when the zip changes."
  type        = string

  validation {
    condition     = endswith(var.filename, ".zip")
    error_message = "filename must be the path of a .zip deployment package."
  }
}

variable "handler" {
  description = "Entry point of the function as <module path>.<function>, e.g. ingest_opensearch.handler.lambda_handler."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)+$", var.handler))
    error_message = "handler must be a dotted Python path ending in the function name, e.g. my_package.handler.lambda_handler."
  }
}

variable "runtime" {
  description = "Python runtime of the function. Keep in step with the build (tools/build_lambdas.py installs wheels for this Python)."
  type        = string
  default     = "python3.12"

  validation {
    condition     = contains(["python3.10", "python3.11", "python3.12", "python3.13"], var.runtime)
    error_message = "runtime must be one of python3.10, python3.11, python3.12, python3.13."
  }
}

variable "architecture" {
  description = "Instruction set of the function: x86_64 (what the build's manylinux x86_64 wheels target) or arm64."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be \"x86_64\" or \"arm64\"."
  }
}

variable "timeout" {
  description = "Seconds an invocation may run (1 to 900)."
  type        = number
  default     = 60

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900 && floor(var.timeout) == var.timeout
    error_message = "timeout must be a whole number of seconds from 1 to 900."
  }
}

variable "memory_size" {
  description = "Memory in MB (128 to 10240); CPU is allocated in proportion."
  type        = number
  default     = 256

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "memory_size must be a whole number of MB from 128 to 10240."
  }
}

variable "reserved_concurrent_executions" {
  description = "Concurrency reserved for (and capping) the function, e.g. to protect a downstream cluster. Null leaves it unreserved; 0 stops all invocations."
  type        = number
  default     = null

  validation {
    condition     = var.reserved_concurrent_executions == null || try(var.reserved_concurrent_executions >= 0 && floor(var.reserved_concurrent_executions) == var.reserved_concurrent_executions, false)
    error_message = "reserved_concurrent_executions must be a whole number, 0 or more, or null for unreserved."
  }
}

variable "environment_variables" {
  description = "Environment of the function (configuration only; secrets belong in Secrets Manager)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.environment_variables) : can(regex("^[A-Za-z][A-Za-z0-9_]*$", k))])
    error_message = "environment_variables keys must start with a letter and contain only letters, digits and underscores."
  }

  validation {
    condition     = alltrue([for k in keys(var.environment_variables) : !startswith(k, "AWS_") && !startswith(k, "LAMBDA_") && k != "_HANDLER"])
    error_message = "environment_variables keys must not start with AWS_ or LAMBDA_ (reserved by the Lambda runtime)."
  }
}

variable "environment_kms_key_arn" {
  description = "Customer managed KMS key that encrypts the environment at rest. Null uses the AWS managed key aws/lambda."
  type        = string
  default     = null

  validation {
    condition     = var.environment_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:key/.+$", var.environment_kms_key_arn))
    error_message = "environment_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) or null."
  }
}

variable "policy_json" {
  description = "IAM policy (JSON, e.g. from data.aws_iam_policy_document) with what the function's code needs; attached to its role as the inline policy \"function\" when attach_policy_json is true. The module adds what it needs itself (logs, the Kinesis source, the dead-letter queue, VPC, tracing). Null: no extra permissions."
  type        = string
  default     = null

  validation {
    condition     = var.policy_json == null || can(jsondecode(var.policy_json).Statement)
    error_message = "policy_json must be an IAM policy document in JSON (with a Statement list), or null."
  }
}

variable "attach_policy_json" {
  description = "Attach policy_json to the role. A separate flag because policy_json may only be known after apply."
  type        = bool
  default     = false

  validation {
    condition     = !var.attach_policy_json || var.policy_json != null
    error_message = "attach_policy_json needs policy_json: give the function's IAM policy, or set attach_policy_json = false."
  }
}

variable "log_retention_days" {
  description = "Retention of the function's log group, in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the values CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "log_kms_key_arn" {
  description = "KMS key that encrypts the log group (its key policy must allow logs.<region>.amazonaws.com). Null uses CloudWatch Logs' default encryption."
  type        = string
  default     = null

  validation {
    condition     = var.log_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:key/.+$", var.log_kms_key_arn))
    error_message = "log_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) or null."
  }
}

variable "tracing_mode" {
  description = "AWS X-Ray tracing: PassThrough (no sampling of its own) or Active (the role gets X-Ray write access)."
  type        = string
  default     = "PassThrough"

  validation {
    condition     = contains(["PassThrough", "Active"], var.tracing_mode)
    error_message = "tracing_mode must be \"PassThrough\" or \"Active\"."
  }
}

variable "vpc_config" {
  description = "Run the function inside a VPC (to reach a VPC-only OpenSearch domain, for example). Null runs it outside any VPC."
  type = object({
    subnet_ids         = list(string)
    security_group_ids = list(string)
  })
  default = null

  validation {
    condition     = var.vpc_config == null || try(length(var.vpc_config.subnet_ids) >= 1 && alltrue([for s in var.vpc_config.subnet_ids : startswith(s, "subnet-")]), false)
    error_message = "vpc_config.subnet_ids must list at least one subnet ID (subnet-...)."
  }

  validation {
    condition     = var.vpc_config == null || try(length(var.vpc_config.security_group_ids) >= 1 && alltrue([for s in var.vpc_config.security_group_ids : startswith(s, "sg-")]), false)
    error_message = "vpc_config.security_group_ids must list at least one security group ID (sg-...)."
  }
}

# --- Kinesis event source ------------------------------------------------------------------------

variable "kinesis_event_source" {
  description = "Trigger the function from a Kinesis data stream. Batches the mapping gives up on (after retries, or too old) go to kinesis_failure_bucket whole, or else their coordinates go to the encrypted SQS dead-letter queue created by the module. Null: no Kinesis trigger."
  type = object({
    stream_arn                         = string
    stream_kms_key_arn                 = optional(string)      # customer managed key of the stream: grants kms:Decrypt through Kinesis
    batch_size                         = optional(number, 100) # 1 to 10000 records per invocation
    maximum_batching_window_in_seconds = optional(number, 0)   # 0 to 300
    parallelization_factor             = optional(number, 1)   # 1 to 10 concurrent batches per shard
    starting_position                  = optional(string, "TRIM_HORIZON")
    starting_position_timestamp        = optional(string)       # RFC 3339, with AT_TIMESTAMP
    bisect_batch_on_function_error     = optional(bool, true)   # split a failing batch to isolate the bad record
    maximum_retry_attempts             = optional(number, 5)    # 0 to 10000; -1 retries until the record expires
    maximum_record_age_in_seconds      = optional(number, 3600) # 60 to 604800; -1 never expires
    report_batch_item_failures         = optional(bool, true)   # the handler returns batchItemFailures
    enabled                            = optional(bool, true)
  })
  default = null

  validation {
    condition     = var.kinesis_event_source == null || can(regex("^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\\d{12}:stream/[a-zA-Z0-9_.-]+$", var.kinesis_event_source.stream_arn))
    error_message = "kinesis_event_source.stream_arn must be a Kinesis stream ARN (arn:aws:kinesis:<region>:<account>:stream/<name>)."
  }

  validation {
    condition     = var.kinesis_event_source == null || try(var.kinesis_event_source.batch_size >= 1 && var.kinesis_event_source.batch_size <= 10000, false)
    error_message = "kinesis_event_source.batch_size must be between 1 and 10000 records."
  }

  validation {
    condition     = var.kinesis_event_source == null || try(var.kinesis_event_source.maximum_batching_window_in_seconds >= 0 && var.kinesis_event_source.maximum_batching_window_in_seconds <= 300, false)
    error_message = "kinesis_event_source.maximum_batching_window_in_seconds must be between 0 and 300 seconds."
  }

  validation {
    condition     = var.kinesis_event_source == null || try(var.kinesis_event_source.parallelization_factor >= 1 && var.kinesis_event_source.parallelization_factor <= 10, false)
    error_message = "kinesis_event_source.parallelization_factor must be between 1 and 10."
  }

  validation {
    condition     = var.kinesis_event_source == null || contains(["TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"], try(var.kinesis_event_source.starting_position, ""))
    error_message = "kinesis_event_source.starting_position must be TRIM_HORIZON, LATEST or AT_TIMESTAMP."
  }

  validation {
    condition     = var.kinesis_event_source == null || (try(var.kinesis_event_source.starting_position, "") == "AT_TIMESTAMP") == (try(var.kinesis_event_source.starting_position_timestamp, null) != null)
    error_message = "kinesis_event_source.starting_position_timestamp must be set exactly when starting_position is AT_TIMESTAMP."
  }

  validation {
    condition     = var.kinesis_event_source == null || try(var.kinesis_event_source.maximum_retry_attempts >= -1 && var.kinesis_event_source.maximum_retry_attempts <= 10000, false)
    error_message = "kinesis_event_source.maximum_retry_attempts must be between 0 and 10000, or -1 for unlimited."
  }

  validation {
    condition     = var.kinesis_event_source == null || try(var.kinesis_event_source.maximum_record_age_in_seconds == -1 || (var.kinesis_event_source.maximum_record_age_in_seconds >= 60 && var.kinesis_event_source.maximum_record_age_in_seconds <= 604800), false)
    error_message = "kinesis_event_source.maximum_record_age_in_seconds must be between 60 and 604800 seconds, or -1 for no limit."
  }
}

variable "kinesis_failure_bucket" {
  description = "Keep the batches the Kinesis event source mapping gives up on (retries exhausted, or records older than maximum_record_age_in_seconds) whole in this S3 bucket: Lambda writes the full invocation record, the records included, under aws/lambda/<mapping UUID>/<shard>/. The role gets s3:PutObject there and s3:ListBucket, both limited to buckets of this account, and kms:GenerateDataKey on kms_key_arn through S3. Null sends only the batch's coordinates (no records) to the dead-letter queue. Needs kinesis_event_source."
  type = object({
    arn         = string           # arn:aws:s3:::<bucket>
    kms_key_arn = optional(string) # the bucket's customer managed key, when it has one
  })
  default = null

  validation {
    condition     = var.kinesis_failure_bucket == null || can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.kinesis_failure_bucket.arn))
    error_message = "kinesis_failure_bucket.arn must be an S3 bucket ARN (arn:aws:s3:::<bucket>), without a key or prefix."
  }

  validation {
    condition     = var.kinesis_failure_bucket == null || try(var.kinesis_failure_bucket.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:key/.+$", var.kinesis_failure_bucket.kms_key_arn)), false)
    error_message = "kinesis_failure_bucket.kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) or null."
  }

  validation {
    condition     = var.kinesis_failure_bucket == null || var.kinesis_event_source != null
    error_message = "kinesis_failure_bucket needs kinesis_event_source: only a Kinesis event source mapping writes failed batches to it."
  }
}

# --- Dead-letter queue ---------------------------------------------------------------------------

variable "create_dead_letter_queue" {
  description = "Create the SQS dead-letter queue even without a Kinesis source (it always exists with one). Asynchronous invocations (e.g. the schedule) that still fail after their retries are sent to it."
  type        = bool
  default     = false
}

variable "dead_letter_queue_url_env_name" {
  description = "Environment variable through which the function learns its dead-letter queue's URL (e.g. to park poison records itself). Null does not expose it."
  type        = string
  default     = "DEAD_LETTER_QUEUE_URL"

  validation {
    condition     = var.dead_letter_queue_url_env_name == null || can(regex("^[A-Za-z][A-Za-z0-9_]*$", var.dead_letter_queue_url_env_name))
    error_message = "dead_letter_queue_url_env_name must start with a letter and contain only letters, digits and underscores, or be null."
  }
}

variable "dead_letter_queue_message_retention_seconds" {
  description = "How long failed batches wait in the dead-letter queue (60 s to 14 days)."
  type        = number
  default     = 1209600

  validation {
    condition     = var.dead_letter_queue_message_retention_seconds >= 60 && var.dead_letter_queue_message_retention_seconds <= 1209600
    error_message = "dead_letter_queue_message_retention_seconds must be between 60 and 1209600 (14 days)."
  }
}

variable "dead_letter_queue_kms_key_arn" {
  description = "Customer managed KMS key that encrypts the dead-letter queue (the role gets its use through SQS only). Null uses SQS-managed encryption (SSE-SQS)."
  type        = string
  default     = null

  validation {
    condition     = var.dead_letter_queue_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:key/.+$", var.dead_letter_queue_kms_key_arn))
    error_message = "dead_letter_queue_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) or null."
  }
}

variable "async_maximum_retry_attempts" {
  description = "Retries of a failed asynchronous invocation (0 to 2) before it goes to the dead-letter queue. Used when the queue exists."
  type        = number
  default     = 2

  validation {
    condition     = contains([0, 1, 2], var.async_maximum_retry_attempts)
    error_message = "async_maximum_retry_attempts must be 0, 1 or 2."
  }
}

variable "async_maximum_event_age_seconds" {
  description = "Seconds an asynchronous event may wait (throttled or retrying) before it goes to the dead-letter queue (60 to 21600). Used when the queue exists."
  type        = number
  default     = 21600

  validation {
    condition     = var.async_maximum_event_age_seconds >= 60 && var.async_maximum_event_age_seconds <= 21600
    error_message = "async_maximum_event_age_seconds must be between 60 and 21600 seconds (6 hours)."
  }
}

# --- Schedule ------------------------------------------------------------------------------------

variable "schedule_expression" {
  description = "Invoke the function on an EventBridge schedule, e.g. \"cron(5 * * * ? *)\" (hourly at minute 5, UTC) or \"rate(1 hour)\". Null: no schedule."
  type        = string
  default     = null

  validation {
    condition     = var.schedule_expression == null || can(regex("^(cron\\(\\S+ \\S+ \\S+ \\S+ \\S+ \\S+\\)|rate\\([1-9][0-9]* (minute|minutes|hour|hours|day|days)\\))$", var.schedule_expression))
    error_message = "schedule_expression must be cron(<6 fields>) or rate(<n> minute[s]|hour[s]|day[s]), or null."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
