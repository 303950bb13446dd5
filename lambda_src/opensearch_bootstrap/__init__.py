"""OpenSearch bootstrap: the domain configuration the lab did by hand, as idempotent code.

Index template, ISM rollover/retention policy and write alias, fine-grained-access role and role mapping
for the ingest function, and the Dashboards saved objects; run as a one-shot Lambda (handler.py) or a CLI
(`python -m opensearch_bootstrap`).
"""
