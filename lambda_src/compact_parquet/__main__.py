import sys

from compact_parquet.cli import main

sys.exit(main())
