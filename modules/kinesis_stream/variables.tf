variable "name" {
  description = "Name of the Kinesis data stream."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_.-]{1,128}$", var.name))
    error_message = "name must be 1 to 128 characters of letters, digits, underscores, hyphens and periods."
  }
}

variable "stream_mode" {
  description = "Capacity mode: ON_DEMAND (scales by itself, pay per GB) or PROVISIONED (fixed shard_count)."
  type        = string
  default     = "ON_DEMAND"

  validation {
    condition     = contains(["ON_DEMAND", "PROVISIONED"], var.stream_mode)
    error_message = "stream_mode must be \"ON_DEMAND\" or \"PROVISIONED\"."
  }
}

variable "shard_count" {
  description = "Number of shards when stream_mode is PROVISIONED (each: 1 MB/s or 1,000 records/s in, 2 MB/s out). Ignored for ON_DEMAND."
  type        = number
  default     = 1

  validation {
    condition     = var.shard_count >= 1 && var.shard_count <= 10000 && floor(var.shard_count) == var.shard_count
    error_message = "shard_count must be a whole number from 1 to 10000."
  }
}

variable "retention_period_hours" {
  description = "How long records stay readable, in hours (24 to 8760). Longer retention gives consumers more time to recover."
  type        = number
  default     = 24

  validation {
    condition     = var.retention_period_hours >= 24 && var.retention_period_hours <= 8760
    error_message = "retention_period_hours must be between 24 and 8760 hours."
  }
}

variable "kms_key_id" {
  description = "KMS key that encrypts records at rest. Null creates a customer managed key with rotation; or an existing key ARN (consumers are then granted on it), a key alias, or the AWS managed alias/aws/kinesis."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_id == null || can(regex("^(alias/[a-zA-Z0-9/_-]+|arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:(key|alias)/.+)$", var.kms_key_id))
    error_message = "kms_key_id must be a KMS alias (alias/...), a KMS key or alias ARN, or null to create a key."
  }
}

variable "kms_deletion_window_days" {
  description = "Waiting period before a key created by this module is deleted after destroy."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30
    error_message = "kms_deletion_window_days must be between 7 and 30 days."
  }
}

variable "shard_level_metrics" {
  description = "Enhanced shard-level CloudWatch metrics to enable (extra cost), e.g. [\"IncomingRecords\", \"IteratorAgeMilliseconds\"]."
  type        = list(string)
  default     = []

  validation {
    condition = alltrue([for m in var.shard_level_metrics : contains([
      "IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords", "WriteProvisionedThroughputExceeded",
      "ReadProvisionedThroughputExceeded", "IteratorAgeMilliseconds", "ALL"
    ], m)])
    error_message = "shard_level_metrics may only contain IncomingBytes, IncomingRecords, OutgoingBytes, OutgoingRecords, WriteProvisionedThroughputExceeded, ReadProvisionedThroughputExceeded, IteratorAgeMilliseconds or ALL."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
