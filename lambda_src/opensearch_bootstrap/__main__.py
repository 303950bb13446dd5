"""`python -m opensearch_bootstrap --endpoint https://... [--dry-run]` (with lambda_src on the path)."""

import sys

from opensearch_bootstrap.cli import main

sys.exit(main())
