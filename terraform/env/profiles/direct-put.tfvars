# PROFILE=direct-put: the seed lab's topology. Producers write to the Firehose delivery stream itself
# (uk-online-retail-trans, Direct PUT), which lands the records in S3; the Kinesis stream stays, unused by Firehose.
# Layered after env/<target>.tfvars and before TF_VAR_FILE; `make apply PROFILE=direct-put` remembers it.
firehose_source = "direct_put"
