"""``python3 -m chanenc.conform``: run the conformance runner."""

import sys

from .runner import main

sys.exit(main())
