variable "database_name" {
  description = "Name of the Glue database that holds the tables (Glue names are account- and region-wide)."
  type        = string
  default     = "mydatabase"

  validation {
    condition     = can(regex("^[a-z0-9_]{1,255}$", var.database_name))
    error_message = "database_name must be 1 to 255 characters of lowercase letters, digits and underscores."
  }
}

variable "database_description" {
  description = "Description of the Glue database."
  type        = string
  default     = "Retail sales transactions delivered by Firehose (JSON) and compacted to Parquet."
}

variable "bucket_name" {
  description = "Name of the data-lake bucket the tables read."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be an S3 bucket name: 3 to 63 characters of lowercase letters, digits, dots and hyphens."
  }
}

variable "json_table_name" {
  description = "Name of the table over the JSON records Firehose delivers."
  type        = string
  default     = "retail_trans_json"

  validation {
    condition     = can(regex("^[a-z0-9_]{1,255}$", var.json_table_name))
    error_message = "json_table_name must be 1 to 255 characters of lowercase letters, digits and underscores."
  }
}

variable "json_prefix" {
  description = "S3 folder of the JSON records, ending with a slash; the year=/month=/day=/hour= partitions are below it."
  type        = string
  default     = "00-retail-trans/"

  validation {
    condition     = can(regex("^[A-Za-z0-9!_.*'()=-][A-Za-z0-9!_.*'()/=-]*/$", var.json_prefix)) && !strcontains(var.json_prefix, "//") && !strcontains(var.json_prefix, "!{")
    error_message = "json_prefix must be an S3 folder such as \"00-retail-trans/\": no leading slash, a trailing slash, no empty segment and no Firehose !{...} expression."
  }
}

variable "create_parquet_table" {
  description = "Create the table over the compacted Parquet files (or over Firehose's Parquet output)."
  type        = bool
  default     = true
}

variable "parquet_table_name" {
  description = "Name of the table over the Parquet files."
  type        = string
  default     = "ctas_retail_trans_parquet"

  validation {
    condition     = can(regex("^[a-z0-9_]{1,255}$", var.parquet_table_name))
    error_message = "parquet_table_name must be 1 to 255 characters of lowercase letters, digits and underscores."
  }
}

variable "parquet_prefix" {
  description = "S3 folder of the Parquet files, ending with a slash; the year=/month=/day=/hour= partitions are below it."
  type        = string
  default     = "parquet-retail-trans/"

  validation {
    condition     = can(regex("^[A-Za-z0-9!_.*'()=-][A-Za-z0-9!_.*'()/=-]*/$", var.parquet_prefix)) && !strcontains(var.parquet_prefix, "//") && !strcontains(var.parquet_prefix, "!{")
    error_message = "parquet_prefix must be an S3 folder such as \"parquet-retail-trans/\": no leading slash, a trailing slash, no empty segment and no Firehose !{...} expression."
  }
}

variable "parquet_compression" {
  description = "Compression Athena uses when it writes into the Parquet table (INSERT INTO): SNAPPY, GZIP, ZSTD or UNCOMPRESSED."
  type        = string
  default     = "SNAPPY"

  validation {
    condition     = contains(["SNAPPY", "GZIP", "ZSTD", "UNCOMPRESSED"], var.parquet_compression)
    error_message = "parquet_compression must be one of SNAPPY, GZIP, ZSTD or UNCOMPRESSED."
  }
}

variable "columns" {
  description = "Columns of both tables (the data contract). json_key is the record's key when it differs from the column name; the JSON table maps it explicitly."
  type = list(object({
    name     = string
    type     = string
    json_key = optional(string)
    comment  = optional(string, "")
  }))
  default = [
    { name = "invoice", type = "string", json_key = "Invoice", comment = "Invoice number; a leading C marks a cancellation." },
    { name = "stockcode", type = "string", json_key = "StockCode", comment = "Product code (also POST, M and other non-products)." },
    { name = "description", type = "string", json_key = "Description", comment = "Product name as entered, may be empty." },
    { name = "quantity", type = "int", json_key = "Quantity", comment = "Units; negative for cancellations." },
    { name = "invoicedate", type = "timestamp", json_key = "InvoiceDate", comment = "Invoice time, YYYY-MM-DD HH:MM:SS, UTC." },
    { name = "price", type = "float", json_key = "Price", comment = "Unit price in pounds sterling." },
    { name = "customer_id", type = "string", json_key = "Customer_ID", comment = "Customer number, empty when unknown." },
    { name = "country", type = "string", json_key = "Country", comment = "Customer's country." },
  ]

  validation {
    condition     = length(var.columns) > 0 && alltrue([for c in var.columns : can(regex("^[a-z_][a-z0-9_]{0,254}$", c.name))])
    error_message = "columns must not be empty, and every columns[*].name must be lowercase letters, digits and underscores, starting with a letter or underscore."
  }

  validation {
    condition     = alltrue([for c in var.columns : can(regex("^(string|int|bigint|smallint|tinyint|float|double|boolean|date|timestamp|binary|decimal\\([0-9]+,[0-9]+\\)|varchar\\([0-9]+\\)|char\\([0-9]+\\))$", c.type))])
    error_message = "columns[*].type must be a Hive primitive type: string, int, bigint, smallint, tinyint, float, double, boolean, date, timestamp, binary, decimal(p,s), varchar(n) or char(n)."
  }

  validation {
    condition     = length(distinct([for c in var.columns : c.name])) == length(var.columns) && length(setintersection([for c in var.columns : c.name], ["year", "month", "day", "hour"])) == 0
    error_message = "columns[*].name must be unique and must not be year, month, day or hour (the partition columns)."
  }
}

variable "projection_years" {
  description = "First and last year partition projection generates. Athena enumerates every hour of this range for queries that do not filter on year, so keep it tight; the default covers the Online Retail II dataset (2009-2011) and live data to 2039."
  type = object({
    first = number
    last  = number
  })
  default = { first = 2009, last = 2039 }

  validation {
    condition     = alltrue([for y in [var.projection_years.first, var.projection_years.last] : floor(y) == y && y >= 1970 && y <= 9999])
    error_message = "projection_years.first and projection_years.last must be whole years from 1970 to 9999."
  }

  validation {
    condition     = var.projection_years.first <= var.projection_years.last
    error_message = "projection_years.first must not be after projection_years.last."
  }
}

variable "tags" {
  description = "Tags added to the database (Glue tables take no tags)."
  type        = map(string)
  default     = {}
}
