"""``python -m flowgraph.tf1 script.py [args]``."""

import sys

from flowgraph.tf1 import main

sys.exit(main())
