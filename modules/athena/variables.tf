variable "workgroup_name" {
  description = "Name of the Athena workgroup."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9._-]{1,128}$", var.workgroup_name)) && var.workgroup_name != "primary"
    error_message = "workgroup_name must be 1 to 128 characters of letters, digits, periods, underscores and hyphens, and not \"primary\"."
  }
}

variable "description" {
  description = "Description of the workgroup."
  type        = string
  default     = "Queries over the retail sales data lake."
}

variable "results_bucket_name" {
  description = "Bucket that receives query results (the data lake's bucket in the root stack)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.results_bucket_name))
    error_message = "results_bucket_name must be an S3 bucket name: 3 to 63 characters of lowercase letters, digits, dots and hyphens."
  }
}

variable "results_prefix" {
  description = "S3 folder of query results inside results_bucket_name, ending with a slash (give it a lifecycle expiration)."
  type        = string
  default     = "athena-results/"

  validation {
    condition     = can(regex("^[A-Za-z0-9!_.*'()=-][A-Za-z0-9!_.*'()/=-]*/$", var.results_prefix)) && !strcontains(var.results_prefix, "//")
    error_message = "results_prefix must be an S3 folder such as \"athena-results/\": no leading slash, a trailing slash and no empty segment."
  }
}

variable "results_kms_key_arn" {
  description = "KMS key that encrypts query results (SSE_KMS); null encrypts them with S3-managed keys (SSE_S3). Users who run queries need kms:GenerateDataKey and kms:Decrypt on it."
  type        = string
  default     = null

  validation {
    condition     = var.results_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:key/.+$", var.results_kms_key_arn))
    error_message = "results_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) or null."
  }
}

variable "expected_bucket_owner" {
  description = "Account ID that must own results_bucket_name; Athena refuses to write results to a bucket owned by anyone else. Null skips the check."
  type        = string
  default     = null

  validation {
    condition     = var.expected_bucket_owner == null || can(regex("^\\d{12}$", var.expected_bucket_owner))
    error_message = "expected_bucket_owner must be a 12-digit AWS account ID or null."
  }
}

variable "enforce_workgroup_configuration" {
  description = "Make the workgroup's settings (result location, encryption, cutoff) override what a client asks for."
  type        = bool
  default     = true
}

variable "publish_cloudwatch_metrics" {
  description = "Publish the workgroup's query metrics (data scanned, run time) to CloudWatch."
  type        = bool
  default     = true
}

variable "bytes_scanned_cutoff_per_query" {
  description = "Athena cancels a query that scans more than this many bytes (at least 10 MB = 10485760). Null sets no limit."
  type        = number
  default     = 10737418240 # 10 GiB

  validation {
    condition     = var.bytes_scanned_cutoff_per_query == null || try(var.bytes_scanned_cutoff_per_query >= 10485760 && floor(var.bytes_scanned_cutoff_per_query) == var.bytes_scanned_cutoff_per_query, false)
    error_message = "bytes_scanned_cutoff_per_query must be a whole number of bytes, at least 10485760 (10 MB), or null for no limit."
  }
}

variable "engine_version" {
  description = "Athena engine version: \"Athena engine version 3\" (Trino) or AUTO."
  type        = string
  default     = "Athena engine version 3"

  validation {
    condition     = contains(["Athena engine version 3", "AUTO"], var.engine_version)
    error_message = "engine_version must be \"Athena engine version 3\" or \"AUTO\"."
  }
}

variable "force_destroy" {
  description = "Let destroy delete the workgroup even when users saved queries in it."
  type        = bool
  default     = false
}

variable "create_named_queries" {
  description = "Save the lab's queries (sample rows, revenue by month/day/hour, top products, top countries, distinct customers) in the workgroup."
  type        = bool
  default     = true
}

variable "database_name" {
  description = "Glue database the named queries run in."
  type        = string
  default     = "mydatabase"

  validation {
    condition     = can(regex("^[a-z0-9_]{1,255}$", var.database_name))
    error_message = "database_name must be 1 to 255 characters of lowercase letters, digits and underscores."
  }
}

variable "table_name" {
  description = "Table the named queries read: the JSON table, or the Parquet table when Firehose converts to Parquet. It needs the contract's columns (invoice, stockcode, description, quantity, invoicedate, price, customer_id, country)."
  type        = string
  default     = "retail_trans_json"

  validation {
    condition     = can(regex("^[a-z0-9_]{1,255}$", var.table_name))
    error_message = "table_name must be 1 to 255 characters of lowercase letters, digits and underscores."
  }
}

variable "top_n" {
  description = "Rows returned by the sample and top-N named queries."
  type        = number
  default     = 10

  validation {
    condition     = var.top_n >= 1 && var.top_n <= 1000 && floor(var.top_n) == var.top_n
    error_message = "top_n must be a whole number from 1 to 1000."
  }
}

variable "tags" {
  description = "Tags added to the workgroup."
  type        = map(string)
  default     = {}
}
