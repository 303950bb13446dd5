# ENV=local and ENV=localstack: a throwaway stack on an emulator.
bucket_force_destroy           = true
athena_workgroup_force_destroy = true
tags = {
  Environment = "local"
}
