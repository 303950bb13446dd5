variable "name" {
  description = "Name of the Firehose delivery stream."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]{1,64}$", var.name))
    error_message = "name must be 1 to 64 characters of letters, digits, underscores, hyphens and periods."
  }
}

variable "kinesis_stream_arn" {
  description = "ARN of the Kinesis data stream Firehose reads from. Null makes a Direct PUT delivery stream (producers write to Firehose itself)."
  type        = string
  default     = null

  validation {
    condition     = var.kinesis_stream_arn == null || can(regex("^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\\d{12}:stream/[a-zA-Z0-9_.-]+$", var.kinesis_stream_arn))
    error_message = "kinesis_stream_arn must be a Kinesis stream ARN (arn:aws:kinesis:<region>:<account>:stream/<name>) or null for Direct PUT."
  }
}

variable "kinesis_stream_kms_key_arn" {
  description = "Customer managed KMS key that encrypts the source stream; Firehose is granted kms:Decrypt on it. Null when the stream uses alias/aws/kinesis or for Direct PUT."
  type        = string
  default     = null
}

variable "direct_put_kms_key_arn" {
  description = "Customer managed KMS key for Firehose's own encryption at rest (Direct PUT only). Null uses an AWS owned key."
  type        = string
  default     = null
}

variable "bucket_arn" {
  description = "ARN of the destination S3 bucket."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_arn))
    error_message = "bucket_arn must be an S3 bucket ARN (arn:aws:s3:::<bucket>)."
  }
}

variable "bucket_kms_key_arn" {
  description = "KMS key of the bucket's SSE-KMS default encryption; Firehose is granted use of it through S3 only. Null for SSE-S3 (AES256) buckets."
  type        = string
  default     = null
}

variable "prefix" {
  description = "S3 key prefix for delivered records; Firehose expands !{timestamp:...} (arrival time, UTC) and !{partitionKeyFromQuery:...}."
  type        = string
  default     = "00-retail-trans/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/"

  validation {
    condition     = length(var.prefix) > 0 && length(var.prefix) <= 1024 && !startswith(var.prefix, "/")
    error_message = "prefix must be 1 to 1024 characters and must not start with a slash."
  }
}

variable "error_output_prefix" {
  description = "S3 key prefix for records Firehose could not deliver or transform; must contain !{firehose:error-output-type}."
  type        = string
  default     = "00-error/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/!{firehose:error-output-type}"

  validation {
    condition     = strcontains(var.error_output_prefix, "!{firehose:error-output-type}") && !startswith(var.error_output_prefix, "/")
    error_message = "error_output_prefix must contain !{firehose:error-output-type} and must not start with a slash."
  }
}

variable "buffering_size" {
  description = "MiB Firehose buffers before writing an object to S3 (1 to 128; at least 64 with Parquet conversion or dynamic partitioning)."
  type        = number
  default     = 1

  validation {
    condition     = var.buffering_size >= 1 && var.buffering_size <= 128
    error_message = "buffering_size must be between 1 and 128 MiB."
  }

  validation {
    condition     = (var.parquet_conversion == null && var.event_time_partitioning == null) || var.buffering_size >= 64
    error_message = "buffering_size must be at least 64 MiB when parquet_conversion or event_time_partitioning is enabled (an AWS requirement)."
  }
}

variable "buffering_interval" {
  description = "Seconds Firehose buffers records before writing an object to S3."
  type        = number
  default     = 60

  validation {
    condition     = var.buffering_interval >= 60 && var.buffering_interval <= 900
    error_message = "buffering_interval must be between 60 and 900 seconds."
  }
}

variable "compression_format" {
  description = "Compression of delivered objects: UNCOMPRESSED, GZIP, ZIP, Snappy or HADOOP_SNAPPY. Must be UNCOMPRESSED with Parquet conversion (Parquet compresses itself)."
  type        = string
  default     = "UNCOMPRESSED"

  validation {
    condition     = contains(["UNCOMPRESSED", "GZIP", "ZIP", "Snappy", "HADOOP_SNAPPY"], var.compression_format)
    error_message = "compression_format must be one of UNCOMPRESSED, GZIP, ZIP, Snappy, HADOOP_SNAPPY."
  }

  validation {
    condition     = var.parquet_conversion == null || var.compression_format == "UNCOMPRESSED"
    error_message = "compression_format must be UNCOMPRESSED when parquet_conversion is enabled."
  }
}

variable "parquet_conversion" {
  description = "Convert JSON records to Parquet using the schema of a Glue table. Null delivers the records as they arrive."
  type = object({
    database_name = string
    table_name    = string
    compression   = optional(string, "SNAPPY")
  })
  default = null

  validation {
    condition     = var.parquet_conversion == null || contains(["SNAPPY", "GZIP", "UNCOMPRESSED"], try(var.parquet_conversion.compression, ""))
    error_message = "parquet_conversion.compression must be SNAPPY, GZIP or UNCOMPRESSED."
  }
}

variable "event_time_partitioning" {
  description = "Partition by the record's own timestamp (dynamic partitioning with a JQ query) instead of arrival time. The prefix must then use !{partitionKeyFromQuery:year|month|day|hour}."
  type = object({
    timestamp_field = optional(string, "InvoiceDate")
  })
  default = null

  validation {
    condition     = var.event_time_partitioning == null || can(regex("^[A-Za-z_][A-Za-z0-9_]*$", try(var.event_time_partitioning.timestamp_field, "")))
    error_message = "event_time_partitioning.timestamp_field must be a plain JSON key (letters, digits, underscores)."
  }

  validation {
    condition     = var.event_time_partitioning == null || strcontains(var.prefix, "!{partitionKeyFromQuery:")
    error_message = "prefix must use !{partitionKeyFromQuery:year} (and month, day, hour) when event_time_partitioning is enabled."
  }
}

variable "record_processor_lambda_arn" {
  description = "Lambda function Firehose runs over every buffer of records before delivery (data transformation): records it returns ProcessingFailed are written under error_output_prefix (processing-failed), never under prefix. Null: no processing Lambda."
  type        = string
  default     = null

  validation {
    condition     = var.record_processor_lambda_arn == null || can(regex("^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\\d{12}:function:[a-zA-Z0-9_-]{1,64}(:[a-zA-Z0-9$_-]+)?$", var.record_processor_lambda_arn))
    error_message = "record_processor_lambda_arn must be a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]), or null."
  }
}

variable "log_retention_days" {
  description = "Retention of the delivery error log group, in days."
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
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
