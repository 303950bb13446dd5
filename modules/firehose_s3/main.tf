locals {
  is_kinesis_source       = var.kinesis_stream_arn != null
  is_parquet              = var.parquet_conversion != null
  is_event_time_partition = var.event_time_partitioning != null
  has_record_processor    = var.record_processor_lambda_arn != null
  is_processing           = local.is_event_time_partition || local.has_record_processor
  log_group_name          = "/aws/kinesisfirehose/${var.name}"
  log_stream_name         = "DestinationDelivery"

  # JQ over the record's "YYYY-MM-DD HH:MM:SS" timestamp: zero-padded parts, as Athena's paths expect.
  ts              = try(".${var.event_time_partitioning.timestamp_field}", "")
  partition_query = "{year: ${local.ts}[0:4], month: ${local.ts}[5:7], day: ${local.ts}[8:10], hour: ${local.ts}[11:13]}"
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

resource "aws_cloudwatch_log_group" "this" {
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn
  tags              = var.tags
}

resource "aws_cloudwatch_log_stream" "destination" {
  name           = local.log_stream_name
  log_group_name = aws_cloudwatch_log_group.this.name
}

resource "aws_kinesis_firehose_delivery_stream" "this" {
  name        = var.name
  destination = "extended_s3"
  tags        = var.tags

  dynamic "kinesis_source_configuration" {
    for_each = local.is_kinesis_source ? [var.kinesis_stream_arn] : []
    content {
      kinesis_stream_arn = kinesis_source_configuration.value
      role_arn           = aws_iam_role.this.arn
    }
  }

  # Encryption at rest inside Firehose applies to Direct PUT; a Kinesis source is encrypted by the stream.
  dynamic "server_side_encryption" {
    for_each = local.is_kinesis_source ? [] : [true]
    content {
      enabled  = true
      key_type = var.direct_put_kms_key_arn == null ? "AWS_OWNED_CMK" : "CUSTOMER_MANAGED_CMK"
      key_arn  = var.direct_put_kms_key_arn
    }
  }

  extended_s3_configuration {
    role_arn            = aws_iam_role.this.arn
    bucket_arn          = var.bucket_arn
    prefix              = var.prefix
    error_output_prefix = var.error_output_prefix
    buffering_size      = var.buffering_size
    buffering_interval  = var.buffering_interval
    compression_format  = var.compression_format
    kms_key_arn         = var.bucket_kms_key_arn
    custom_time_zone    = "UTC" # the pipeline's one clock; see the README

    cloudwatch_logging_options {
      enabled         = true
      log_group_name  = aws_cloudwatch_log_group.this.name
      log_stream_name = aws_cloudwatch_log_stream.destination.name
    }

    dynamic "dynamic_partitioning_configuration" {
      for_each = local.is_event_time_partition ? [true] : []
      content {
        enabled        = true
        retry_duration = 300
      }
    }

    dynamic "processing_configuration" {
      for_each = local.is_processing ? [true] : []
      content {
        enabled = true

        # First the record processor (its ProcessingFailed records go to error_output_prefix), then the JQ
        # partition keys over what it passed. AWS's defaults apply: 3 retries, buffers of 1 MiB or 60 s. They are
        # not written out: Firehose does not return parameters left at their defaults, so every plan would show
        # them as changes.
        dynamic "processors" {
          for_each = local.has_record_processor ? [var.record_processor_lambda_arn] : []
          content {
            type = "Lambda"
            parameters {
              parameter_name  = "LambdaArn"
              parameter_value = processors.value
            }
          }
        }

        dynamic "processors" {
          for_each = local.is_event_time_partition ? [local.partition_query] : []
          content {
            type = "MetadataExtraction"
            parameters {
              parameter_name  = "JsonParsingEngine"
              parameter_value = "JQ-1.6"
            }
            parameters {
              parameter_name  = "MetadataExtractionQuery"
              parameter_value = processors.value
            }
          }
        }

        dynamic "processors" {
          for_each = local.is_event_time_partition && !local.is_parquet ? [true] : []
          content {
            type = "AppendDelimiterToRecord"
          }
        }
      }
    }

    dynamic "data_format_conversion_configuration" {
      for_each = local.is_parquet ? [var.parquet_conversion] : []
      content {
        enabled = true

        input_format_configuration {
          deserializer {
            open_x_json_ser_de {}
          }
        }

        output_format_configuration {
          serializer {
            parquet_ser_de {
              compression = data_format_conversion_configuration.value.compression
            }
          }
        }

        schema_configuration {
          database_name = data_format_conversion_configuration.value.database_name
          table_name    = data_format_conversion_configuration.value.table_name
          role_arn      = aws_iam_role.this.arn
          region        = data.aws_region.current.name
        }
      }
    }
  }

  # Firehose checks its role's access when the stream is created: the policy must exist first.
  depends_on = [aws_iam_role_policy.this]
}
