variable "dashboard_name" {
  description = "Name of the CloudWatch dashboard (e.g. retail-operations)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,255}$", var.dashboard_name))
    error_message = "dashboard_name must be 1 to 255 characters of letters, digits, hyphens and underscores."
  }
}

variable "period_seconds" {
  description = "Seconds each point of the graphs aggregates (a multiple of 60; the alarms use 300)."
  type        = number
  default     = 300

  validation {
    condition     = var.period_seconds >= 60 && var.period_seconds <= 86400 && var.period_seconds % 60 == 0
    error_message = "period_seconds must be a multiple of 60 between 60 and 86400."
  }
}

# --- What to show --------------------------------------------------------------------------------
# Every input below is optional: a null (or empty) input leaves its widgets out.

variable "kinesis_stream_name" {
  description = "Kinesis data stream: incoming records and bytes, iterator age, throttled writes and reads. Null: no stream widgets."
  type        = string
  default     = null
}

variable "firehose_delivery_stream_name" {
  description = "Firehose delivery stream: delivery freshness, records delivered and the success rate. Null: no Firehose widgets."
  type        = string
  default     = null
}

variable "error_output_metric" {
  description = "S3 request metrics filter on Firehose's error prefix (bucket and filter ID of an aws_s3_bucket_metric): PUT requests there are new error objects. Null: no error-prefix widget."
  type = object({
    bucket_name = string
    filter_id   = string
  })
  default = null
}

variable "validation_function" {
  description = "The Firehose processing function that checks each record before delivery: its Lambda metrics (invocations, errors) and its own EMF metrics (RecordsChecked, RecordsPassed, RecordsQuarantined in metrics_namespace, dimension service = service_name). Null: no validation widgets."
  type = object({
    function_name     = string
    metrics_namespace = string
    service_name      = string
  })
  default = null

  validation {
    condition     = var.validation_function == null || try(can(regex("^[A-Za-z0-9_-]{1,64}$", var.validation_function.function_name)) && can(regex("^[A-Za-z0-9._/#: -]{1,255}$", var.validation_function.metrics_namespace)) && !startswith(var.validation_function.metrics_namespace, "AWS/") && length(var.validation_function.service_name) >= 1 && length(var.validation_function.service_name) <= 1024, false)
    error_message = "validation_function: function_name must be a Lambda function name (1 to 64 letters, digits, hyphens and underscores), metrics_namespace a custom CloudWatch namespace (1 to 255 letters, digits, spaces and . - _ / # :, not starting with AWS/), service_name 1 to 1024 characters."
  }
}

variable "ingest_function" {
  description = "The stream-triggered ingest function: its Lambda metrics (invocations, errors, throttles, iterator age) and its own EMF metrics (Records* in metrics_namespace, dimension service = service_name, as POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME set them). Null: no ingest widgets."
  type = object({
    function_name     = string
    metrics_namespace = string
    service_name      = string
  })
  default = null

  validation {
    condition     = var.ingest_function == null || try(can(regex("^[A-Za-z0-9_-]{1,64}$", var.ingest_function.function_name)) && can(regex("^[A-Za-z0-9._/#: -]{1,255}$", var.ingest_function.metrics_namespace)) && !startswith(var.ingest_function.metrics_namespace, "AWS/") && length(var.ingest_function.service_name) >= 1 && length(var.ingest_function.service_name) <= 1024, false)
    error_message = "ingest_function: function_name must be a Lambda function name (1 to 64 letters, digits, hyphens and underscores), metrics_namespace a custom CloudWatch namespace (1 to 255 letters, digits, spaces and . - _ / # :, not starting with AWS/), service_name 1 to 1024 characters."
  }
}

variable "compaction_function" {
  description = "The scheduled compaction function: invocations, errors, duration and its RowsCompacted EMF metric (metrics_namespace, dimension service = service_name). Null: no compaction widgets."
  type = object({
    function_name     = string
    metrics_namespace = string
    service_name      = string
  })
  default = null

  validation {
    condition     = var.compaction_function == null || try(can(regex("^[A-Za-z0-9_-]{1,64}$", var.compaction_function.function_name)) && can(regex("^[A-Za-z0-9._/#: -]{1,255}$", var.compaction_function.metrics_namespace)) && !startswith(var.compaction_function.metrics_namespace, "AWS/") && length(var.compaction_function.service_name) >= 1 && length(var.compaction_function.service_name) <= 1024, false)
    error_message = "compaction_function: function_name must be a Lambda function name (1 to 64 letters, digits, hyphens and underscores), metrics_namespace a custom CloudWatch namespace (1 to 255 letters, digits, spaces and . - _ / # :, not starting with AWS/), service_name 1 to 1024 characters."
  }
}

variable "dead_letter_queue_names" {
  description = "SQS dead-letter queues whose depth and oldest message are shown, by a short label (e.g. { ingest = \"retail-ingest-opensearch-dlq\" })."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.dead_letter_queue_names) : can(regex("^[a-z0-9-]{1,32}$", k))])
    error_message = "dead_letter_queue_names keys must be 1 to 32 lowercase letters, digits or hyphens."
  }
}

variable "failed_batch_store_metric" {
  description = "S3 request metrics filter on the ingest mapping's on-failure destination (bucket and filter ID): PUT requests there are batches Lambda gave up on. Null: no failed-batch widget."
  type = object({
    bucket_name = string
    filter_id   = string
  })
  default = null
}

variable "alarm_arns" {
  description = "CloudWatch alarms whose state the dashboard shows at the top (e.g. the alarms module's alarm_arns). Empty: no alarm widget."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.alarm_arns : can(regex("^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\\d{12}:alarm:.+$", a))])
    error_message = "alarm_arns must contain CloudWatch alarm ARNs (arn:aws:cloudwatch:<region>:<account>:alarm:<name>)."
  }
}
