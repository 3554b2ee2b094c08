import sys

from plaingrad.cli import main

sys.exit(main())
