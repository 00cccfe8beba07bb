"""Makes the example's package importable when its tests run from the tidings repository root (`pytest`
collects `examples/`) as well as from this folder."""

import sys
from pathlib import Path

HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.insert(0, HERE)
