"""`python -m mtb`: the `mtb` command (as the installed entry point, mtb.cli:main)."""

import sys

from mtb.cli import main

if __name__ == "__main__":
    sys.exit(main())
