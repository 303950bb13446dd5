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

variable "delegate_to_iam" {
  description = "Keep AWS's default key policy statement: the account root holds kms:* and the account's IAM policies decide who administers and uses the key. false separates duties: only key_administrator_arns administer the key and only key_user_arns (and service_statements) use it, whatever IAM policies allow."
  type        = bool
  default     = true

  validation {
    condition     = var.delegate_to_iam || length(var.key_administrator_arns) > 0
    error_message = "key_administrator_arns must name at least one administrator when delegate_to_iam is false: otherwise nobody could manage the key."
  }
}

variable "key_administrator_arns" {
  description = "IAM roles or users that administer the key (policy, rotation, aliases, tags, enable, disable, deletion) and cannot encrypt or decrypt with it. With delegate_to_iam = false, include the identity that runs Terraform: KMS refuses a policy that would lock its author out. They must exist before the key."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.key_administrator_arns : can(regex("^arn:aws[a-z-]*:iam::\\d{12}:(role|user)/.+$", a))])
    error_message = "key_administrator_arns must contain IAM role or user ARNs (arn:aws:iam::<account>:role/<name>)."
  }
}

variable "key_user_arns" {
  description = "IAM roles or users that use the key (encrypt, decrypt, data keys, grants for AWS resources) and cannot administer it. They must exist before the key (KMS checks the principals of a key policy)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.key_user_arns : can(regex("^arn:aws[a-z-]*:iam::\\d{12}:(role|user)/.+$", a))])
    error_message = "key_user_arns must contain IAM role or user ARNs (arn:aws:iam::<account>:role/<name>)."
  }

  validation {
    condition     = length(setintersection(var.key_user_arns, var.key_administrator_arns)) == 0
    error_message = "key_user_arns and key_administrator_arns must not share a principal: separating duties means nobody both administers and uses the key."
  }
}

variable "tags" {
  description = "Tags for the key."
  type        = map(string)
  default     = {}
}
