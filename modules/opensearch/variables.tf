variable "domain_name" {
  description = "Name of the OpenSearch domain (the lab's is retail)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,27}$", var.domain_name))
    error_message = "domain_name must be 3 to 28 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "engine_version" {
  description = "Engine and version, as OpenSearch_<major>.<minor> (e.g. OpenSearch_2.19) or Elasticsearch_<major>.<minor>."
  type        = string
  default     = "OpenSearch_2.19"

  validation {
    condition     = can(regex("^(OpenSearch|Elasticsearch)_[0-9]+\\.[0-9]+$", var.engine_version))
    error_message = "engine_version must look like OpenSearch_<major>.<minor> (e.g. OpenSearch_2.19) or Elasticsearch_<major>.<minor>."
  }
}

variable "instance_type" {
  description = "Instance type of the data nodes (e.g. t3.small.search for a lab, r7g.large.search for production)."
  type        = string
  default     = "t3.small.search"

  validation {
    condition     = can(regex("^[a-z0-9]+\\.[0-9]*x?[a-z]+\\.search$", var.instance_type))
    error_message = "instance_type must be an OpenSearch instance type ending in .search, e.g. t3.small.search or r7g.large.search."
  }
}

variable "instance_count" {
  description = "Number of data nodes. With zone awareness it must be a multiple of zone_awareness_az_count."
  type        = number
  default     = 1

  validation {
    condition     = var.instance_count >= 1 && var.instance_count <= 1002 && floor(var.instance_count) == var.instance_count
    error_message = "instance_count must be a whole number from 1 to 1002."
  }
}

variable "dedicated_master" {
  description = "Dedicated master nodes (recommended in production: 3, of an instance type such as m7g.large.search). Null: the data nodes are also masters."
  type = object({
    instance_type = string
    count         = optional(number, 3)
  })
  default = null

  validation {
    condition     = var.dedicated_master == null || contains([3, 5], try(var.dedicated_master.count, 0))
    error_message = "dedicated_master.count must be 3 or 5 (an odd number that survives the loss of a node)."
  }

  validation {
    condition     = var.dedicated_master == null || can(regex("^[a-z0-9]+\\.[0-9]*x?[a-z]+\\.search$", try(var.dedicated_master.instance_type, "")))
    error_message = "dedicated_master.instance_type must be an OpenSearch instance type ending in .search."
  }
}

variable "zone_awareness_az_count" {
  description = "Spread nodes over 2 or 3 Availability Zones (zone awareness). Null keeps every node in one zone."
  type        = number
  default     = null

  validation {
    condition     = var.zone_awareness_az_count == null || contains([2, 3], coalesce(var.zone_awareness_az_count, 0))
    error_message = "zone_awareness_az_count must be 2, 3 or null."
  }

  validation {
    condition     = var.zone_awareness_az_count == null || try(var.instance_count % var.zone_awareness_az_count == 0, false)
    error_message = "instance_count must be a multiple of zone_awareness_az_count when zone awareness is on."
  }
}

variable "ebs_volume_size" {
  description = "GiB of gp3 storage per data node."
  type        = number
  default     = 10

  validation {
    condition     = var.ebs_volume_size >= 10 && var.ebs_volume_size <= 24576 && floor(var.ebs_volume_size) == var.ebs_volume_size
    error_message = "ebs_volume_size must be a whole number of GiB from 10 to 24576."
  }
}

variable "ebs_iops" {
  description = "Provisioned IOPS of each gp3 volume (3000 to 16000). Null uses the gp3 baseline."
  type        = number
  default     = null

  validation {
    condition     = var.ebs_iops == null || try(var.ebs_iops >= 3000 && var.ebs_iops <= 16000, false)
    error_message = "ebs_iops must be between 3000 and 16000, or null."
  }
}

variable "ebs_throughput" {
  description = "Provisioned throughput of each gp3 volume in MiB/s (125 to 1000). Null uses the gp3 baseline."
  type        = number
  default     = null

  validation {
    condition     = var.ebs_throughput == null || try(var.ebs_throughput >= 125 && var.ebs_throughput <= 1000, false)
    error_message = "ebs_throughput must be between 125 and 1000 MiB/s, or null."
  }
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for encryption at rest (and the master user's secret). Null creates a key with rotation."
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

variable "tls_security_policy" {
  description = "TLS policy of the HTTPS endpoint. The default allows TLS 1.2 and 1.3 with forward-secret ciphers only."
  type        = string
  default     = "Policy-Min-TLS-1-2-PFS-2023-10"

  validation {
    condition     = contains(["Policy-Min-TLS-1-2-PFS-2023-10", "Policy-Min-TLS-1-2-2019-07"], var.tls_security_policy)
    error_message = "tls_security_policy must be Policy-Min-TLS-1-2-PFS-2023-10 or Policy-Min-TLS-1-2-2019-07 (TLS 1.0 is not allowed)."
  }
}

# --- Fine-grained access control -----------------------------------------------------------------

variable "master_user_mode" {
  description = "Who is the fine-grained-access-control master: \"iam\" (an IAM role or user; no password anywhere) or \"internal\" (a user of the internal database whose generated password lives in Secrets Manager)."
  type        = string
  default     = "iam"

  validation {
    condition     = contains(["iam", "internal"], var.master_user_mode)
    error_message = "master_user_mode must be \"iam\" or \"internal\"."
  }

  validation {
    condition     = var.master_user_mode != "internal" || var.vpc != null || length(var.allowed_ip_cidrs) > 0
    error_message = "master_user_mode = \"internal\" needs a vpc or allowed_ip_cidrs: a password sign-in cannot be narrowed by IAM, so the access policy admits every caller and only the network can narrow it."
  }
}

variable "master_user_arn" {
  description = "With master_user_mode = iam: the IAM role or user that is master. Null creates a role <domain_name>-opensearch-master, assumable by master_role_trusted_principal_arns."
  type        = string
  default     = null

  validation {
    condition     = var.master_user_arn == null || can(regex("^arn:aws[a-z-]*:iam::\\d{12}:(role|user)/.+$", var.master_user_arn))
    error_message = "master_user_arn must be an IAM role or user ARN (arn:aws:iam::<account>:role/<name>), or null."
  }
}

variable "master_role_trusted_principal_arns" {
  description = "IAM principals that may assume the master role the module creates. Empty trusts the identity running Terraform (its role, for assumed-role sessions), so a bootstrap step run right after apply can map roles."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.master_role_trusted_principal_arns : can(regex("^arn:aws[a-z-]*:iam::\\d{12}:(root|role/.+|user/.+)$", a))])
    error_message = "master_role_trusted_principal_arns must contain IAM role, user or account root ARNs."
  }
}

variable "internal_master_user_name" {
  description = "With master_user_mode = internal: name of the master user in the internal user database."
  type        = string
  default     = "admin"

  validation {
    condition     = can(regex("^[a-zA-Z][a-zA-Z0-9_-]{0,63}$", var.internal_master_user_name))
    error_message = "internal_master_user_name must be 1 to 64 characters of letters, digits, hyphens and underscores, starting with a letter."
  }
}

variable "master_user_password_version" {
  description = "With master_user_mode = internal: bump to generate and store a new master password (it is written to Secrets Manager write-only)."
  type        = number
  default     = 1

  validation {
    condition     = var.master_user_password_version >= 1 && floor(var.master_user_password_version) == var.master_user_password_version
    error_message = "master_user_password_version must be a whole number, 1 or more."
  }
}

variable "access_principal_arns" {
  description = "IAM principals (besides the master) allowed to send HTTP requests in the domain access policy. Principals of the same account can also be allowed by their own IAM policies; fine-grained access control then decides what they may do."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.access_principal_arns : can(regex("^arn:aws[a-z-]*:iam::\\d{12}:(root|role/.+|user/.+)$", a))])
    error_message = "access_principal_arns must contain IAM role, user or account root ARNs."
  }
}

# --- Logs ----------------------------------------------------------------------------------------

variable "log_types" {
  description = "Logs published to CloudWatch Logs, one log group each. AUDIT_LOGS is required."
  type        = list(string)
  default     = ["ES_APPLICATION_LOGS", "INDEX_SLOW_LOGS", "SEARCH_SLOW_LOGS", "AUDIT_LOGS"]

  validation {
    condition     = alltrue([for t in var.log_types : contains(["ES_APPLICATION_LOGS", "INDEX_SLOW_LOGS", "SEARCH_SLOW_LOGS", "AUDIT_LOGS"], t)])
    error_message = "log_types may only contain ES_APPLICATION_LOGS, INDEX_SLOW_LOGS, SEARCH_SLOW_LOGS and AUDIT_LOGS."
  }

  validation {
    condition     = contains(var.log_types, "AUDIT_LOGS")
    error_message = "log_types must contain AUDIT_LOGS: audit logs are always published (who signed in, who was refused, who changed the security configuration)."
  }
}

variable "log_retention_days" {
  description = "Retention of the domain's log groups, in days."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the values CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "log_kms_key_arn" {
  description = "KMS key that encrypts the log groups (its key policy must allow logs.<region>.amazonaws.com). Null uses CloudWatch Logs' default encryption."
  type        = string
  default     = null

  validation {
    condition     = var.log_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:key/.+$", var.log_kms_key_arn))
    error_message = "log_kms_key_arn must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>) or null."
  }
}

# --- Network -------------------------------------------------------------------------------------

variable "vpc" {
  description = "Place the domain in a VPC (no public endpoint). A security group is created that admits HTTPS from allowed_cidr_blocks and allowed_security_group_ids only. Null: a public endpoint guarded by IAM and fine-grained access control."
  type = object({
    vpc_id                     = string
    subnet_ids                 = list(string)
    allowed_cidr_blocks        = optional(list(string), [])
    allowed_security_group_ids = optional(list(string), [])
  })
  default = null

  validation {
    condition     = var.vpc == null || can(regex("^vpc-[0-9a-f]+$", var.vpc.vpc_id))
    error_message = "vpc.vpc_id must be a VPC ID (vpc-...)."
  }

  validation {
    condition     = var.vpc == null || try(length(var.vpc.subnet_ids) >= 1 && length(var.vpc.subnet_ids) <= 3 && alltrue([for s in var.vpc.subnet_ids : startswith(s, "subnet-")]), false)
    error_message = "vpc.subnet_ids must list 1 to 3 subnet IDs (subnet-...), one per Availability Zone used."
  }

  validation {
    condition     = var.vpc == null || try(alltrue([for c in var.vpc.allowed_cidr_blocks : can(cidrhost(c, 0))]), false)
    error_message = "vpc.allowed_cidr_blocks must contain IPv4 CIDR blocks such as 10.0.0.0/16."
  }
}

variable "allowed_ip_cidrs" {
  description = "Public domain with master_user_mode = internal: the IPv4 ranges from which internal users (password sign-in) may reach the domain; required then, since IAM cannot narrow a password sign-in. The IAM principals of the access policy are not limited by it. A VPC domain uses vpc.allowed_cidr_blocks instead."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.allowed_ip_cidrs : can(cidrhost(c, 0)) && !startswith(c, "0.0.0.0/")])
    error_message = "allowed_ip_cidrs must contain IPv4 CIDR blocks such as 203.0.113.0/24, and not 0.0.0.0/0 (every address)."
  }

  validation {
    condition     = var.vpc == null || length(var.allowed_ip_cidrs) == 0
    error_message = "allowed_ip_cidrs applies to public domains only: a VPC domain ignores IP conditions; list the networks in vpc.allowed_cidr_blocks."
  }
}

variable "auto_software_update" {
  description = "Let OpenSearch Service apply service software updates (security fixes among them) on its own, in the domain's off-peak window. false leaves them to you (the console or UpdateDomainConfig)."
  type        = bool
  default     = true
}

variable "create_service_linked_role" {
  description = "Create the OpenSearch service-linked role that VPC domains need. Leave false when the account already has it (creating it twice fails)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
