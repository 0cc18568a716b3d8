"""`python -m classifier` runs the command line (see `classifier.cli`)."""

import sys

from .cli import main

sys.exit(main())
