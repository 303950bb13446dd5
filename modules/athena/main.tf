locals {
  output_location = "s3://${var.results_bucket_name}/${var.results_prefix}"
  table           = "\"${var.database_name}\".\"${var.table_name}\""
  revenue         = "round(sum(CAST(price AS DECIMAL(18, 4)) * quantity), 2)"

  # The lab's queries. Each runs unchanged on Athena (Trino) and on DuckDB, the engine behind the local
  # emulator's Athena; the portable subset is documented in the README. Notes that apply to all of them:
  # - Columns are aliased to their own names (invoice AS invoice): DuckDB reads the JSON keys as they are
  #   (Invoice, Customer_ID) and would otherwise name result columns that way; Athena returns lower case.
  # - Revenue is sum(price * quantity) with price cast to DECIMAL: price is a float column, and summing
  #   floats drifts by fractions of a cent; the decimal sum is exact.
  # - Time buckets use invoicedate, the sale's own time (UTC), not the arrival-time partitions.
  # - They scan the whole table. On AWS, add a partition filter (WHERE year = '2024' AND month = '06')
  #   to scan less; the workgroup's bytes_scanned_cutoff_per_query caps what any query may scan.
  named_queries = {
    sample_rows = {
      description = "A few delivered records, with their partition."
      query       = <<-SQL
        SELECT invoice AS invoice, stockcode AS stockcode, description AS description, quantity AS quantity,
               invoicedate AS invoicedate, price AS price, customer_id AS customer_id, country AS country,
               year, month, day, hour
        FROM ${local.table}
        LIMIT ${var.top_n}
      SQL
    }
    revenue_by_month = {
      description = "Revenue, sum(price * quantity), per calendar month of the invoice (UTC)."
      query       = <<-SQL
        SELECT date_trunc('month', invoicedate) AS invoice_month,
               count(*) AS lines,
               sum(quantity) AS units,
               ${local.revenue} AS revenue
        FROM ${local.table}
        GROUP BY 1
        ORDER BY 1
      SQL
    }
    revenue_by_day = {
      description = "Revenue, sum(price * quantity), per invoice day (UTC)."
      query       = <<-SQL
        SELECT CAST(invoicedate AS DATE) AS invoice_day,
               count(*) AS lines,
               sum(quantity) AS units,
               ${local.revenue} AS revenue
        FROM ${local.table}
        GROUP BY 1
        ORDER BY 1
      SQL
    }
    revenue_by_hour = {
      description = "Revenue, sum(price * quantity), per invoice hour (UTC)."
      query       = <<-SQL
        SELECT date_trunc('hour', invoicedate) AS invoice_hour,
               count(*) AS lines,
               sum(quantity) AS units,
               ${local.revenue} AS revenue
        FROM ${local.table}
        GROUP BY 1
        ORDER BY 1
      SQL
    }
    top_products = {
      description = "Products by units sold, net of cancellations, with their revenue."
      query       = <<-SQL
        SELECT stockcode AS stockcode,
               max(description) AS description,
               sum(quantity) AS units,
               ${local.revenue} AS revenue
        FROM ${local.table}
        GROUP BY stockcode
        ORDER BY units DESC, stockcode
        LIMIT ${var.top_n}
      SQL
    }
    top_countries = {
      description = "Countries by revenue, with their invoice lines and invoices."
      query       = <<-SQL
        SELECT country AS country,
               count(*) AS lines,
               count(DISTINCT invoice) AS invoices,
               ${local.revenue} AS revenue
        FROM ${local.table}
        GROUP BY country
        ORDER BY revenue DESC, country
        LIMIT ${var.top_n}
      SQL
    }
    distinct_customers = {
      description = "Distinct known customers (an empty customer_id is unknown), invoices and invoice lines."
      query       = <<-SQL
        SELECT count(DISTINCT nullif(customer_id, '')) AS customers,
               count(DISTINCT invoice) AS invoices,
               count(*) AS lines
        FROM ${local.table}
      SQL
    }
  }
}

resource "aws_athena_workgroup" "this" {
  name          = var.workgroup_name
  description   = var.description
  state         = "ENABLED"
  force_destroy = var.force_destroy
  tags          = var.tags

  configuration {
    enforce_workgroup_configuration    = var.enforce_workgroup_configuration
    publish_cloudwatch_metrics_enabled = var.publish_cloudwatch_metrics
    bytes_scanned_cutoff_per_query     = var.bytes_scanned_cutoff_per_query

    engine_version {
      selected_engine_version = var.engine_version
    }

    result_configuration {
      output_location       = local.output_location
      expected_bucket_owner = var.expected_bucket_owner

      encryption_configuration {
        encryption_option = var.results_kms_key_arn == null ? "SSE_S3" : "SSE_KMS"
        kms_key_arn       = var.results_kms_key_arn
      }
    }
  }
}

resource "aws_athena_named_query" "this" {
  for_each = var.create_named_queries ? local.named_queries : {}

  name        = each.key
  description = each.value.description
  workgroup   = aws_athena_workgroup.this.name
  database    = var.database_name
  query       = each.value.query
}
