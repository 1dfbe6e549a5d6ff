"""``python -m spec.cli``: the same as the ``backprop-spec`` console script."""

import sys

from spec.cli.commands import main

sys.exit(main())
