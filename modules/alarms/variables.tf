variable "name_prefix" {
  description = "Prefix of the topic and alarm names (<name_prefix>-alarms, <name_prefix>-<alarm>)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,200}$", var.name_prefix))
    error_message = "name_prefix must be 1 to 200 characters of letters, digits, hyphens and underscores."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for the SNS topic; its key policy must let cloudwatch.amazonaws.com use it. Null creates such a key (the AWS managed aws/sns key cannot be used by CloudWatch alarms)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) or null."
  }
}

variable "email_addresses" {
  description = "Email addresses subscribed to the topic (each must confirm the subscription)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.email_addresses : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "email_addresses must contain email addresses such as oncall@example.com."
  }
}

variable "period_seconds" {
  description = "Length of each evaluation period of the alarms, in seconds (a multiple of 60)."
  type        = number
  default     = 300

  validation {
    condition     = var.period_seconds >= 60 && var.period_seconds % 60 == 0 && var.period_seconds <= 86400
    error_message = "period_seconds must be a multiple of 60 between 60 and 86400."
  }
}

variable "evaluation_periods" {
  description = "Consecutive breaching periods before an alarm fires."
  type        = number
  default     = 1

  validation {
    condition     = var.evaluation_periods >= 1 && var.evaluation_periods <= 100 && floor(var.evaluation_periods) == var.evaluation_periods
    error_message = "evaluation_periods must be a whole number from 1 to 100."
  }
}

# --- What to watch -------------------------------------------------------------------------------

variable "firehose_delivery_stream_name" {
  description = "Firehose delivery stream whose delivery freshness to S3 is watched. Null: no Firehose alarm."
  type        = string
  default     = null
}

variable "firehose_freshness_threshold_seconds" {
  description = "Alarm when the oldest record in Firehose is older than this many seconds (it should stay near the buffering interval)."
  type        = number
  default     = 900

  validation {
    condition     = var.firehose_freshness_threshold_seconds >= 60
    error_message = "firehose_freshness_threshold_seconds must be at least 60 seconds (Firehose buffers for at least 60 s)."
  }
}

variable "kinesis_stream_name" {
  description = "Kinesis data stream whose write throttling is watched. Null: no Kinesis alarm."
  type        = string
  default     = null
}

variable "kinesis_write_throttle_threshold" {
  description = "Alarm when more than this many writes are throttled (WriteProvisionedThroughputExceeded) in a period."
  type        = number
  default     = 0

  validation {
    condition     = var.kinesis_write_throttle_threshold >= 0
    error_message = "kinesis_write_throttle_threshold must be 0 or more."
  }
}

variable "error_output_metric" {
  description = "S3 request metrics filter on Firehose's error prefix (bucket and filter ID of an aws_s3_bucket_metric). Alarms on any PUT there: every new object is a record Firehose could not deliver or convert. Null: no error-prefix alarm."
  type = object({
    bucket_name = string
    filter_id   = string
  })
  default = null
}

variable "lambda_function_names" {
  description = "Functions whose errors are watched, by a short key used in the alarm name (e.g. { ingest = \"retail-ingest\" })."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.lambda_function_names) : can(regex("^[a-z0-9-]{1,32}$", k))])
    error_message = "lambda_function_names keys must be 1 to 32 lowercase letters, digits or hyphens."
  }
}

variable "lambda_error_threshold" {
  description = "Alarm when a function has more than this many errors in a period."
  type        = number
  default     = 0

  validation {
    condition     = var.lambda_error_threshold >= 0
    error_message = "lambda_error_threshold must be 0 or more."
  }
}

variable "stream_consumer_function_names" {
  description = "Stream-triggered functions whose iterator age (how far behind the stream they are) is watched, by short key."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.stream_consumer_function_names) : can(regex("^[a-z0-9-]{1,32}$", k))])
    error_message = "stream_consumer_function_names keys must be 1 to 32 lowercase letters, digits or hyphens."
  }
}

variable "iterator_age_threshold_ms" {
  description = "Alarm when a consumer's iterator age exceeds this many milliseconds (records wait that long before processing)."
  type        = number
  default     = 60000

  validation {
    condition     = var.iterator_age_threshold_ms >= 1000
    error_message = "iterator_age_threshold_ms must be at least 1000 milliseconds."
  }
}

variable "dead_letter_queue_names" {
  description = "SQS dead-letter queues whose depth is watched, by short key. Any message there is a record or an invocation that failed for good."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.dead_letter_queue_names) : can(regex("^[a-z0-9-]{1,32}$", k))])
    error_message = "dead_letter_queue_names keys must be 1 to 32 lowercase letters, digits or hyphens."
  }
}

variable "dead_letter_queue_depth_threshold" {
  description = "Alarm when a dead-letter queue holds more than this many visible messages."
  type        = number
  default     = 0

  validation {
    condition     = var.dead_letter_queue_depth_threshold >= 0
    error_message = "dead_letter_queue_depth_threshold must be 0 or more."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
