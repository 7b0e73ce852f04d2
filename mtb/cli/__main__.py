"""`python -m mtb.cli`: the `mtb` command."""

import sys

from mtb.cli import main

if __name__ == "__main__":
    sys.exit(main())
