locals {
  partition_keys = [
    { name = "year", comment = "Year of the partition hour, e.g. 2024." },
    { name = "month", comment = "Month, zero-padded: 01 to 12." },
    { name = "day", comment = "Day of month, zero-padded: 01 to 31." },
    { name = "hour", comment = "Hour, zero-padded: 00 to 23 (UTC)." },
  ]

  # Partition projection: Athena computes the partitions from these properties, so no MSCK REPAIR TABLE
  # or ALTER TABLE ADD PARTITION is ever needed. Firehose writes zero-padded paths (month=02), hence digits.
  projection = {
    "projection.enabled"      = "true"
    "projection.year.type"    = "integer"
    "projection.year.range"   = "${var.projection_years.first},${var.projection_years.last}"
    "projection.month.type"   = "integer"
    "projection.month.range"  = "1,12"
    "projection.month.digits" = "2"
    "projection.day.type"     = "integer"
    "projection.day.range"    = "1,31"
    "projection.day.digits"   = "2"
    "projection.hour.type"    = "integer"
    "projection.hour.range"   = "0,23"
    "projection.hour.digits"  = "2"
  }
  partition_template = "year=$${year}/month=$${month}/day=$${day}/hour=$${hour}/"

  json_location    = "s3://${var.bucket_name}/${var.json_prefix}"
  parquet_location = "s3://${var.bucket_name}/${var.parquet_prefix}"

  # The records' keys are mixed case (Invoice, Customer_ID). Matching them exactly, instead of lower-casing
  # every key, keeps two keys that differ only in case from failing the whole query as duplicates.
  json_key_mappings = { for c in var.columns : "mapping.${c.name}" => c.json_key if c.json_key != null }
}

resource "aws_glue_catalog_database" "this" {
  name        = var.database_name
  description = var.database_description
  tags        = var.tags
}

resource "aws_glue_catalog_table" "json" {
  name          = var.json_table_name
  database_name = aws_glue_catalog_database.this.name
  description   = "Records as Firehose delivers them: one JSON object per line, hour partitions."
  table_type    = "EXTERNAL_TABLE"

  parameters = merge(local.projection, {
    "EXTERNAL"                  = "TRUE"
    "classification"            = "json"
    "storage.location.template" = "${local.json_location}${local.partition_template}"
  })

  storage_descriptor {
    location      = local.json_location
    input_format  = "org.apache.hadoop.mapred.TextInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"

    ser_de_info {
      name                  = "openx-json"
      serialization_library = "org.openx.data.jsonserde.JsonSerDe"
      parameters = merge(local.json_key_mappings, {
        "case.insensitive"      = "FALSE"
        "ignore.malformed.json" = "FALSE" # a malformed line fails the query instead of vanishing from it
        "dots.in.keys"          = "FALSE"
      })
    }

    dynamic "columns" {
      for_each = var.columns
      content {
        name    = columns.value.name
        type    = columns.value.type
        comment = columns.value.comment
      }
    }
  }

  dynamic "partition_keys" {
    for_each = local.partition_keys
    content {
      name    = partition_keys.value.name
      type    = "string"
      comment = partition_keys.value.comment
    }
  }
}

resource "aws_glue_catalog_table" "parquet" {
  count = var.create_parquet_table ? 1 : 0

  name          = var.parquet_table_name
  database_name = aws_glue_catalog_database.this.name
  description   = "The same records as Parquet: compacted hourly, or written by Firehose's record format conversion."
  table_type    = "EXTERNAL_TABLE"

  parameters = merge(local.projection, {
    "EXTERNAL"                  = "TRUE"
    "classification"            = "parquet"
    "parquet.compression"       = var.parquet_compression
    "storage.location.template" = "${local.parquet_location}${local.partition_template}"
  })

  storage_descriptor {
    location      = local.parquet_location
    input_format  = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
    output_format = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"

    ser_de_info {
      name                  = "parquet"
      serialization_library = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
      parameters            = { "serialization.format" = "1" }
    }

    dynamic "columns" {
      for_each = var.columns
      content {
        name    = columns.value.name
        type    = columns.value.type
        comment = columns.value.comment
      }
    }
  }

  dynamic "partition_keys" {
    for_each = local.partition_keys
    content {
      name    = partition_keys.value.name
      type    = "string"
      comment = partition_keys.value.comment
    }
  }
}
