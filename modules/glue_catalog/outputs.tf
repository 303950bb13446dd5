output "database_name" {
  description = "Name of the Glue database."
  value       = aws_glue_catalog_database.this.name
}

output "database_arn" {
  description = "ARN of the Glue database."
  value       = aws_glue_catalog_database.this.arn
}

output "json_table_name" {
  description = "Name of the table over Firehose's JSON records."
  value       = aws_glue_catalog_table.json.name
}

output "json_table_arn" {
  description = "ARN of the JSON table."
  value       = aws_glue_catalog_table.json.arn
}

output "json_table_location" {
  description = "S3 location of the JSON table (s3://bucket/prefix/)."
  value       = local.json_location
}

output "parquet_table_name" {
  description = "Name of the Parquet table; null when create_parquet_table is false."
  value       = try(aws_glue_catalog_table.parquet[0].name, null)
}

output "parquet_table_arn" {
  description = "ARN of the Parquet table; null when create_parquet_table is false."
  value       = try(aws_glue_catalog_table.parquet[0].arn, null)
}

output "parquet_table_location" {
  description = "S3 location of the Parquet table; null when create_parquet_table is false."
  value       = var.create_parquet_table ? local.parquet_location : null
}

output "partition_keys" {
  description = "Partition columns of both tables, outermost first (all strings, zero-padded)."
  value       = [for k in local.partition_keys : k.name]
}
