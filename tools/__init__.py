"""Harness for the local emulator and Terraform (run as `python -m tools`)."""
