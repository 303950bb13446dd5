# The OpenSearch domain the ingest Lambda feeds (enable_opensearch; off in env/local.tfvars).
# Mapping the ingest role to an OpenSearch role (fine-grained access control) is done by the bootstrap
# step after apply, signed as the master role (output opensearch_master_user_arn).

module "opensearch" {
  source = "../modules/opensearch"
  count  = var.enable_opensearch ? 1 : 0

  domain_name      = local.opensearch_domain_name
  engine_version   = var.opensearch_engine_version
  instance_type    = var.opensearch_instance_type
  instance_count   = var.opensearch_instance_count
  ebs_volume_size  = var.opensearch_volume_size
  master_user_mode = var.opensearch_master_user_mode
  master_user_arn  = var.opensearch_master_user_arn
  tags             = local.tags
}
