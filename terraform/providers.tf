provider "aws" {
  region = var.aws_region # null: the usual AWS_REGION / profile resolution

  default_tags {
    tags = local.tags
  }
}
