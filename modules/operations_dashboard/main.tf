data "aws_region" "current" {}

locals {
  region = data.aws_region.current.name

  # Each optional input as a list of zero or one element, so a section is built with `for` and no conditional
  # has to reconcile two different widget shapes.
  stream     = var.kinesis_stream_name == null ? [] : [var.kinesis_stream_name]
  firehose   = var.firehose_delivery_stream_name == null ? [] : [var.firehose_delivery_stream_name]
  errors     = var.error_output_metric == null ? [] : [var.error_output_metric]
  validation = var.validation_function == null ? [] : [var.validation_function]
  ingest     = var.ingest_function == null ? [] : [var.ingest_function]
  compaction = var.compaction_function == null ? [] : [var.compaction_function]
  failures   = var.failed_batch_store_metric == null ? [] : [var.failed_batch_store_metric]
  queues     = length(var.dead_letter_queue_names) == 0 ? [] : [var.dead_letter_queue_names]

  # Sections top to bottom, in the order records travel. Each metric is [namespace, name, dimension, value,
  # ..., {rendering options}], as the dashboard body format writes it.
  sections = [
    {
      title = "Stream"
      hint  = "Throttled writes: add shards, or use on-demand mode. Iterator age rising: a consumer (Firehose or the ingest function) falls behind and records near the end of the stream's retention."
      widgets = flatten([for name in local.stream : [
        {
          title = "Incoming records and bytes: ${name}"
          metrics = [
            ["AWS/Kinesis", "IncomingRecords", "StreamName", name, { stat = "Sum", label = "Records" }],
            ["AWS/Kinesis", "IncomingBytes", "StreamName", name, { stat = "Sum", label = "Bytes", yAxis = "right" }],
          ]
        },
        {
          title   = "Iterator age of the oldest unread record (ms)"
          metrics = [["AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", "StreamName", name, { stat = "Maximum", label = "Iterator age" }]]
        },
        {
          title = "Throttled requests"
          metrics = [
            ["AWS/Kinesis", "WriteProvisionedThroughputExceeded", "StreamName", name, { stat = "Sum", label = "Writes throttled" }],
            ["AWS/Kinesis", "ReadProvisionedThroughputExceeded", "StreamName", name, { stat = "Sum", label = "Reads throttled" }],
          ]
        },
      ]])
    },
    {
      title = "Firehose delivery to S3"
      hint  = "Freshness far above the buffering interval, or a success rate below 1: read the Firehose log group. Any object in the error prefix: records failed validation, delivery or conversion; they are kept there, read them and send them again. Validation errors: Firehose retries the buffer, then writes it whole to the error prefix."
      widgets = concat(
        flatten([for name in local.firehose : [
          {
            title   = "Delivery freshness (s): ${name}"
            metrics = [["AWS/Firehose", "DeliveryToS3.DataFreshness", "DeliveryStreamName", name, { stat = "Maximum", label = "Oldest record waiting" }]]
          },
          {
            title = "Records delivered and success rate"
            metrics = [
              ["AWS/Firehose", "DeliveryToS3.Records", "DeliveryStreamName", name, { stat = "Sum", label = "Records delivered" }],
              ["AWS/Firehose", "DeliveryToS3.Success", "DeliveryStreamName", name, { stat = "Average", label = "Success rate", yAxis = "right" }],
            ]
          },
        ]]),
        [for m in local.errors : {
          title   = "New objects in the error prefix"
          metrics = [["AWS/S3", "PutRequests", "BucketName", m.bucket_name, "FilterId", m.filter_id, { stat = "Sum", label = "PUT requests" }]]
        }],
        flatten([for f in local.validation : [
          {
            title = "Record validation runs and errors: ${f.function_name}"
            metrics = [
              ["AWS/Lambda", "Invocations", "FunctionName", f.function_name, { stat = "Sum", label = "Invocations" }],
              ["AWS/Lambda", "Errors", "FunctionName", f.function_name, { stat = "Sum", label = "Errors" }],
            ]
          },
          {
            title = "Records checked, passed and quarantined"
            metrics = [for name, label in {
              RecordsChecked     = "Checked"
              RecordsPassed      = "Passed"
              RecordsQuarantined = "Quarantined (error prefix)"
            } : [f.metrics_namespace, name, "service", f.service_name, { stat = "Sum", label = label }]]
          },
        ]]),
      )
    },
    {
      title = "Ingest function (stream to OpenSearch)"
      hint  = "Dead-lettered or rejected records are in the dead-letter queue with their reason. Retried records and iterator age rising together: OpenSearch refuses writes (429 or 5xx) and Kinesis redelivers."
      widgets = flatten([for f in local.ingest : [
        {
          title = "Invocations, errors and throttles: ${f.function_name}"
          metrics = [
            ["AWS/Lambda", "Invocations", "FunctionName", f.function_name, { stat = "Sum", label = "Invocations" }],
            ["AWS/Lambda", "Errors", "FunctionName", f.function_name, { stat = "Sum", label = "Errors" }],
            ["AWS/Lambda", "Throttles", "FunctionName", f.function_name, { stat = "Sum", label = "Throttles" }],
          ]
        },
        {
          title   = "Iterator age (ms)"
          metrics = [["AWS/Lambda", "IteratorAge", "FunctionName", f.function_name, { stat = "Maximum", label = "Iterator age" }]]
        },
        {
          title = "Records by outcome"
          metrics = [for name, label in {
            RecordsReceived     = "Received"
            RecordsIndexed      = "Indexed"
            RecordsRetried      = "Retried by Kinesis"
            RecordsInvalid      = "Invalid"
            RecordsRejected     = "Rejected by OpenSearch"
            RecordsDeadLettered = "Dead-lettered"
            RecordsDeferred     = "Poison, dead-lettered on a later delivery"
          } : [f.metrics_namespace, name, "service", f.service_name, { stat = "Sum", label = label }]]
        },
      ]])
    },
    {
      title = "Compaction (hourly JSON to Parquet)"
      hint  = "A failed run lands in the compaction dead-letter queue; run the hour again by hand once the cause is fixed. Duration near the 900 s timeout: the hour is too large for one CTAS."
      widgets = flatten([for f in local.compaction : [
        {
          title = "Runs and errors: ${f.function_name}"
          metrics = [
            ["AWS/Lambda", "Invocations", "FunctionName", f.function_name, { stat = "Sum", label = "Runs" }],
            ["AWS/Lambda", "Errors", "FunctionName", f.function_name, { stat = "Sum", label = "Errors" }],
          ]
        },
        {
          title = "Duration (ms)"
          metrics = [
            ["AWS/Lambda", "Duration", "FunctionName", f.function_name, { stat = "Maximum", label = "Longest run" }],
            ["AWS/Lambda", "Duration", "FunctionName", f.function_name, { stat = "Average", label = "Average run" }],
          ]
        },
        {
          title   = "Rows compacted"
          metrics = [[f.metrics_namespace, "RowsCompacted", "service", f.service_name, { stat = "Sum", label = "Rows" }]]
        },
      ]])
    },
    {
      title = "Dead letters and failed batches"
      hint  = "Any message is a record or a run that failed for good: read its reason, fix the cause, then replay it. Messages older than the queue's retention are lost."
      widgets = concat(
        flatten([for queues in local.queues : [
          {
            title   = "Dead-letter queue depth"
            metrics = [for label, name in queues : ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", name, { stat = "Maximum", label = label }]]
          },
          {
            title   = "Age of the oldest dead letter (s)"
            metrics = [for label, name in queues : ["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", name, { stat = "Maximum", label = label }]]
          },
        ]]),
        [for m in local.failures : {
          title   = "Failed batches written to the on-failure destination"
          metrics = [["AWS/S3", "PutRequests", "BucketName", m.bucket_name, "FilterId", m.filter_id, { stat = "Sum", label = "PUT requests" }]]
        }],
      )
    },
  ]

  # --- Layout: a 24-column grid; an alarm row, then per section a header and three graphs a row ----------
  columns       = 3
  graph_width   = 8
  graph_height  = 6
  header_height = 2
  alarm_height  = length(var.alarm_arns) == 0 ? 0 : 3

  shown           = [for s in local.sections : s if length(s.widgets) > 0]
  section_heights = [for s in local.shown : local.header_height + local.graph_height * ceil(length(s.widgets) / local.columns)]
  section_tops    = [for i, _ in local.shown : local.alarm_height + (i == 0 ? 0 : sum(slice(local.section_heights, 0, i)))]

  alarm_widgets = length(var.alarm_arns) == 0 ? [] : [{
    type       = "alarm"
    x          = 0
    y          = 0
    width      = 24
    height     = local.alarm_height
    properties = { title = "Alarms", alarms = var.alarm_arns }
  }]

  section_widgets = flatten([for i, s in local.shown : concat(
    [{
      type       = "text"
      x          = 0
      y          = local.section_tops[i]
      width      = 24
      height     = local.header_height
      properties = { markdown = "## ${s.title}\n${s.hint}" }
    }],
    [for j, w in s.widgets : {
      type   = "metric"
      x      = (j % local.columns) * local.graph_width
      y      = local.section_tops[i] + local.header_height + floor(j / local.columns) * local.graph_height
      width  = local.graph_width
      height = local.graph_height
      properties = {
        title   = w.title
        metrics = w.metrics
        view    = "timeSeries"
        stacked = false
        region  = local.region
        period  = var.period_seconds
      }
    }],
  )])
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.dashboard_name
  dashboard_body = jsonencode({ widgets = concat(local.alarm_widgets, local.section_widgets) })
}
