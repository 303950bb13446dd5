# PROFILE=stream (the default): producers write to the Kinesis stream (retail-trans), which feeds Firehose
# (-> S3) and the ingest Lambda (-> OpenSearch). Layered after env/<target>.tfvars and before TF_VAR_FILE.
firehose_source = "kinesis"
