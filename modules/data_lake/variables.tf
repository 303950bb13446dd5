variable "bucket_name" {
  description = "Name of the data-lake bucket. Globally unique; the root stack uses <name_prefix>-<region>-<account>."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be 3 to 63 characters of lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit."
  }

  validation {
    condition     = !can(regex("\\.\\.|^\\d+\\.\\d+\\.\\d+\\.\\d+$|^xn--|-s3alias$", var.bucket_name))
    error_message = "bucket_name must not contain consecutive dots, look like an IP address, start with xn-- or end with -s3alias."
  }
}

variable "force_destroy" {
  description = "Allow Terraform to delete the bucket even when it holds objects. Keep false for real data; true suits throwaway stacks."
  type        = bool
  default     = false
}

variable "sse_algorithm" {
  description = "Default encryption of new objects: aws:kms (a customer managed key, created here unless kms_key_arn is given) or AES256 (S3-managed keys)."
  type        = string
  default     = "aws:kms"

  validation {
    condition     = contains(["aws:kms", "AES256"], var.sse_algorithm)
    error_message = "sse_algorithm must be \"aws:kms\" or \"AES256\"."
  }
}

variable "kms_key_arn" {
  description = "ARN of an existing customer managed KMS key for SSE-KMS. Null creates a key with rotation (when sse_algorithm is aws:kms)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:key/.+$", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) or null."
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

variable "enable_versioning" {
  description = "Keep previous versions of overwritten or deleted objects (recovery from bad writes)."
  type        = bool
  default     = true
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which previous object versions are deleted. Null keeps them forever."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_expiration_days == null || try(var.noncurrent_version_expiration_days >= 1, false)
    error_message = "noncurrent_version_expiration_days must be a positive number of days, or null."
  }
}

variable "expiration_rules" {
  description = "Prefixes whose objects expire, e.g. Firehose's error output and Athena query results. id must be unique."
  type = list(object({
    id     = string
    prefix = string
    days   = number
  }))
  default = []

  validation {
    condition     = alltrue([for r in var.expiration_rules : r.days >= 1 && floor(r.days) == r.days])
    error_message = "expiration_rules[*].days must be whole numbers of days, at least 1."
  }

  validation {
    condition     = alltrue([for r in var.expiration_rules : length(r.prefix) > 0 && !startswith(r.prefix, "/")])
    error_message = "expiration_rules[*].prefix must be a non-empty key prefix without a leading slash (e.g. \"00-error/\")."
  }

  validation {
    condition     = length(distinct([for r in var.expiration_rules : r.id])) == length(var.expiration_rules)
    error_message = "expiration_rules[*].id must be unique."
  }
}

variable "abort_incomplete_multipart_upload_days" {
  description = "Days after which unfinished multipart uploads are cleaned up."
  type        = number
  default     = 7

  validation {
    condition     = var.abort_incomplete_multipart_upload_days >= 1
    error_message = "abort_incomplete_multipart_upload_days must be at least 1."
  }
}

variable "enforce_upload_encryption" {
  description = "The bucket policy denies s3:PutObject requests that do not ask for the bucket's encryption: with aws:kms, the x-amz-server-side-encryption header must be aws:kms and x-amz-server-side-encryption-aws-kms-key-id the bucket key's ARN (no key, or another one, is refused); with AES256 the header must be AES256. Every writer must send these headers (Firehose and Athena do when configured with the key)."
  type        = bool
  default     = true
}

variable "upload_encryption_exempt_prefixes" {
  description = "Key prefixes (each ending in /) that enforce_upload_encryption leaves out, for writers that cannot send encryption headers, such as Lambda's on-failure destination (aws/lambda/). Objects there are still encrypted by the bucket's default encryption."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for p in var.upload_encryption_exempt_prefixes : can(regex("^[^/*][^*]*/$", p))])
    error_message = "upload_encryption_exempt_prefixes must hold key prefixes ending in a slash, without a leading slash or wildcards."
  }
}

variable "access_log_bucket" {
  description = "Another bucket that receives S3 server access logs for this bucket (it must allow logging.s3.amazonaws.com to write, and AWS delivers access logs only to buckets with SSE-S3 default encryption). Null disables access logging."
  type        = string
  default     = null

  validation {
    condition     = var.access_log_bucket == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.access_log_bucket))
    error_message = "access_log_bucket must be a bucket name (3 to 63 lowercase letters, digits, dots and hyphens), or null."
  }

  validation {
    condition     = var.access_log_bucket != var.bucket_name
    error_message = "access_log_bucket must be another bucket than bucket_name: logs written into the bucket they describe log themselves without end."
  }
}

variable "access_log_prefix" {
  description = "Key prefix of this bucket's access logs in access_log_bucket."
  type        = string
  default     = null

  validation {
    condition     = var.access_log_prefix == null || can(regex("^[A-Za-z0-9!_.*'()/-]+/$", coalesce(var.access_log_prefix, "-")))
    error_message = "access_log_prefix must be a key prefix ending in a slash, e.g. s3-access/my-bucket/, or null (s3-access/<bucket_name>/)."
  }
}

variable "policy_documents" {
  description = "Extra bucket policy documents (JSON) merged with the module's TLS-only policy, e.g. grants to other accounts."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
