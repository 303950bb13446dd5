variable "description" {
  description = "What the key encrypts, shown in the KMS console."
  type        = string

  validation {
    condition     = length(trimspace(var.description)) > 0 && length(var.description) <= 8192
    error_message = "description must be 1 to 8192 characters."
  }
}

variable "alias" {
  description = "Alias of the key, without the alias/ prefix (e.g. kinesis-retail-trans)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9/_-]{1,250}$", var.alias)) && !startswith(var.alias, "alias/") && !startswith(var.alias, "aws/")
    error_message = "alias must be 1 to 250 letters, digits, slashes, hyphens and underscores, without the alias/ prefix, and must not start with aws/ (reserved for AWS managed keys)."
  }
}

variable "deletion_window_in_days" {
  description = "Waiting period before the key is deleted after destroy (the window in which a deletion can be cancelled)."
  type        = number
  default     = 30

  validation {
    condition     = var.deletion_window_in_days >= 7 && var.deletion_window_in_days <= 30
    error_message = "deletion_window_in_days must be between 7 and 30 days."
  }
}

variable "service_statements" {
  description = <<-EOT
    Key policy statements for AWS services that use the key with their own identity (CloudWatch Logs, CloudWatch
    alarms), beside the account's administration statement. Each names the service principal, the KMS actions and
    the conditions that narrow it to this account's resources; every statement must have at least one condition.
  EOT
  type = list(object({
    sid     = string
    service = string
    actions = list(string)
    conditions = list(object({
      test     = string
      variable = string
      values   = list(string)
    }))
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.service_statements : can(regex("^[a-zA-Z0-9]+$", s.sid))])
    error_message = "service_statements: each sid must be letters and digits only."
  }

  validation {
    condition     = alltrue([for s in var.service_statements : can(regex("^[a-z0-9.-]+\\.amazonaws\\.com$", s.service))])
    error_message = "service_statements: each service must be a service principal such as logs.us-east-1.amazonaws.com."
  }

  validation {
    condition = alltrue([
      for s in var.service_statements : length(s.actions) > 0 && alltrue([for a in s.actions : can(regex("^kms:[A-Za-z]+$", a))])
    ])
    error_message = "service_statements: each statement needs explicit kms: actions (no wildcards)."
  }

  validation {
    condition     = alltrue([for s in var.service_statements : length(s.conditions) > 0])
    error_message = "service_statements: each statement needs a condition that limits the service to this account's resources."
  }
}

variable "tags" {
  description = "Tags for the key."
  type        = map(string)
  default     = {}
}
