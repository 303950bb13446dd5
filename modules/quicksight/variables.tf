variable "name_prefix" {
  description = "Prefix of the data source and dataset IDs and names (<name_prefix>-athena, <name_prefix>-<table>)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,64}$", var.name_prefix))
    error_message = "name_prefix must be 1 to 64 characters of letters, digits, hyphens and underscores."
  }
}

variable "athena_workgroup_name" {
  description = "Athena workgroup QuickSight runs its queries in (its result location and encryption apply)."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9._-]{1,128}$", var.athena_workgroup_name))
    error_message = "athena_workgroup_name must be 1 to 128 characters of letters, digits, periods, hyphens and underscores."
  }
}

variable "glue_database_name" {
  description = "Glue database of the table."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9_]{1,255}$", var.glue_database_name))
    error_message = "glue_database_name must be 1 to 255 characters of lowercase letters, digits and underscores."
  }
}

variable "table_name" {
  description = "Glue table the dataset reads (the lab: retail_trans_json)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9_]{1,255}$", var.table_name))
    error_message = "table_name must be 1 to 255 characters of lowercase letters, digits and underscores."
  }
}

variable "columns" {
  description = "Columns of the table as QuickSight sees them (the lab's schema plus its partition columns by default)."
  type = list(object({
    name = string
    type = string
  }))
  default = [
    { name = "invoice", type = "STRING" },
    { name = "stockcode", type = "STRING" },
    { name = "description", type = "STRING" },
    { name = "quantity", type = "INTEGER" },
    { name = "invoicedate", type = "DATETIME" },
    { name = "price", type = "DECIMAL" },
    { name = "customer_id", type = "STRING" },
    { name = "country", type = "STRING" },
    { name = "year", type = "STRING" },
    { name = "month", type = "STRING" },
    { name = "day", type = "STRING" },
    { name = "hour", type = "STRING" },
  ]

  validation {
    condition     = length(var.columns) >= 1 && alltrue([for c in var.columns : contains(["STRING", "INTEGER", "DECIMAL", "DATETIME", "BIT", "BOOLEAN", "JSON"], c.type)])
    error_message = "columns must list at least one column, each of type STRING, INTEGER, DECIMAL, DATETIME, BIT, BOOLEAN or JSON."
  }

  validation {
    condition = !var.create_dashboard || (
      contains([for c in var.columns : c.type if c.name == "invoicedate"], "DATETIME") &&
      contains([for c in var.columns : c.type if c.name == "quantity"], "INTEGER") &&
      contains([for c in var.columns : c.type if c.name == "price"], "DECIMAL") &&
      contains([for c in var.columns : c.type if c.name == "country"], "STRING") &&
      contains([for c in var.columns : c.type if c.name == "description"], "STRING")
    )
    error_message = "columns must include invoicedate (DATETIME), quantity (INTEGER), price (DECIMAL), country and description (STRING) when create_dashboard is true: the visuals are built on them."
  }
}

variable "import_mode" {
  description = "DIRECT_QUERY (every visual queries Athena) or SPICE (QuickSight keeps an imported copy; refreshes are billed scans)."
  type        = string
  default     = "DIRECT_QUERY"

  validation {
    condition     = contains(["DIRECT_QUERY", "SPICE"], var.import_mode)
    error_message = "import_mode must be \"DIRECT_QUERY\" or \"SPICE\"."
  }
}

variable "owner_principal_arns" {
  description = "QuickSight users or groups that own the data source and dataset (use, edit, share, delete), e.g. arn:aws:quicksight:us-east-1:<account>:user/default/<user>."
  type        = list(string)

  validation {
    condition     = length(var.owner_principal_arns) >= 1
    error_message = "owner_principal_arns must name at least one QuickSight user or group: nobody could see the dataset otherwise."
  }

  validation {
    condition     = alltrue([for a in var.owner_principal_arns : can(regex("^arn:aws[a-z-]*:quicksight:[a-z0-9-]+:\\d{12}:(user|group)/[^/]+/.+$", a))])
    error_message = "owner_principal_arns must contain QuickSight user or group ARNs (arn:aws:quicksight:<identity region>:<account>:user/<namespace>/<name>)."
  }
}

variable "viewer_principal_arns" {
  description = "QuickSight users or groups that may build analyses on the dataset without changing it, and view the dashboard."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for a in var.viewer_principal_arns : can(regex("^arn:aws[a-z-]*:quicksight:[a-z0-9-]+:\\d{12}:(user|group)/[^/]+/.+$", a))])
    error_message = "viewer_principal_arns must contain QuickSight user or group ARNs (arn:aws:quicksight:<identity region>:<account>:user/<namespace>/<name>)."
  }
}

# --- Who runs the Athena queries -----------------------------------------------------------------

variable "create_data_source_role" {
  description = "Give the data source an IAM role of its own (trusting QuickSight of this account only) that may run its Athena queries, and nothing on QuickSight's account-wide service role: only users with permissions on this data source reach the lake. The data source is then made through a CloudFormation stack (provider 5.100 cannot set its role); the Terraform caller needs cloudformation:* on it and iam:PassRole on the role. False: the data source uses the service role (see attach_service_role_policy)."
  type        = bool
  default     = true
}

variable "attach_service_role_policy" {
  description = "With create_data_source_role = false: attach an inline policy to QuickSight's service role so it can run the Athena queries (workgroup, Glue table, S3 prefixes, KMS through S3); every QuickSight author of the account can then use that access. False when the account grants this another way (e.g. QuickSight's console settings)."
  type        = bool
  default     = true
}

variable "service_role_name" {
  description = "With create_data_source_role = false: name of the IAM role QuickSight uses for AWS data sources (created when the account subscribes to QuickSight)."
  type        = string
  default     = "aws-quicksight-service-role-v0"

  validation {
    condition     = can(regex("^[a-zA-Z0-9+=,.@_-]{1,64}$", var.service_role_name))
    error_message = "service_role_name must be an IAM role name (1 to 64 characters of letters, digits and +=,.@_-)."
  }
}

variable "bucket_name" {
  description = "Data-lake bucket holding the table's data and the workgroup's query results."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens)."
  }
}

variable "data_prefix" {
  description = "Folder of the table's data in the bucket (e.g. 00-retail-trans/); QuickSight reads only below it."
  type        = string

  validation {
    condition     = endswith(var.data_prefix, "/") && !startswith(var.data_prefix, "/")
    error_message = "data_prefix must be a folder such as 00-retail-trans/ (ending with a slash, without a leading one)."
  }
}

variable "athena_results_prefix" {
  description = "Folder of Athena query results in the bucket; QuickSight writes and reads results only below it."
  type        = string
  default     = "athena-results/"

  validation {
    condition     = endswith(var.athena_results_prefix, "/") && !startswith(var.athena_results_prefix, "/")
    error_message = "athena_results_prefix must be a folder such as athena-results/ (ending with a slash, without a leading one)."
  }
}

variable "bucket_kms_key_arn" {
  description = "KMS key of the bucket's SSE-KMS encryption; the role running the queries may use it through S3 only. Null for SSE-S3."
  type        = string
  default     = null
}

# --- The analysis and the dashboard --------------------------------------------------------------

variable "create_dashboard" {
  description = "Create the lab's visuals (revenue by month, revenue by country, top products) as a template, an analysis owners can edit and a published dashboard owners and viewers can read."
  type        = bool
  default     = true
}

variable "top_products_count" {
  description = "How many products the top-products visual shows, by revenue."
  type        = number
  default     = 10

  validation {
    condition     = var.top_products_count >= 1 && var.top_products_count <= 100 && floor(var.top_products_count) == var.top_products_count
    error_message = "top_products_count must be a whole number from 1 to 100."
  }
}

variable "tags" {
  description = "Tags added to every resource of the module."
  type        = map(string)
  default     = {}
}
