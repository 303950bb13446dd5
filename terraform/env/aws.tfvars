# ENV=aws: a real deployment. Review before `make apply ENV=aws`; the defaults in variables.tf
# are the production ones (data kept on destroy, KMS everywhere).
tags = {
  Environment = "aws"
}
