"""`python -m ihs`: the admin command line (`ihs.cli`)."""

import sys

from ihs.cli import main

sys.exit(main())
