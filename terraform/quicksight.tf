# QuickSight over the JSON table through Athena (enable_quicksight; needs a QuickSight subscription): the data
# source runs as a role of its own, the dataset, and the lab's visuals as an analysis and a dashboard.

module "quicksight" {
  source = "../modules/quicksight"
  count  = var.enable_quicksight ? 1 : 0

  name_prefix           = var.name_prefix
  athena_workgroup_name = local.athena_workgroup_name
  glue_database_name    = local.glue_database_name
  table_name            = local.json_table_name
  columns               = local.record_contract.quicksight_columns
  owner_principal_arns  = var.quicksight_principal_arns
  viewer_principal_arns = var.quicksight_viewer_principal_arns
  bucket_name           = local.bucket_name
  data_prefix           = local.data_prefix
  athena_results_prefix = local.athena_results_prefix
  bucket_kms_key_arn    = module.data_lake.kms_key_arn
  tags                  = local.tags
}
