import sys

from ihs.cli import main

sys.exit(main())
