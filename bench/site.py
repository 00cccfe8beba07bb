"""Benchmark: `tidings docs build` of an imported registry against `tidings asyncapi import` of the same files.

The registry is bench/registry.py's: the real sample in tests/data/registry multiplied to 260 message files
(~200 event types; `--files 67` is the sample as it is). Per round, in this process, alternating the order:
- `import`: import_paths(checkout → a fresh folder), what `tidings asyncapi import` does;
- `build`: load_registry(that folder) + build_site(…) into a fresh folder, what `tidings docs build` does;
- `render`: build_site only, on a registry loaded once (the site's own share of `build`).
CPU time (process_time), best round of each.

    python bench/site.py [--files 260] [--rounds 5]

Last line: {"files", "event_types", "pages", "import_cpu_s", "build_cpu_s", "render_cpu_s", "load_cpu_s",
"ratio"}, ratio = build / import (the issue's target is ≤ 2).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from registry import synthetic_registry  # bench/registry.py

from tidings.contracts.asyncapi.importer import import_paths
from tidings.contracts.registry.loader import load_registry
from tidings.contracts.site.build import build_site


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=260)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "hmpps-domain-events"
        synthetic_registry(root, args.files)
        imported = Path(tmp) / "imported"
        import_paths([root], imported)
        loaded = load_registry(imported)
        times: dict[str, list[float]] = {"import": [], "build": [], "render": []}
        pages = 0
        for round_ in range(args.rounds):
            order = ("import", "build", "render") if round_ % 2 == 0 else ("render", "build", "import")
            for what in order:
                target = Path(tmp) / f"{what}{round_}"
                start = time.process_time()
                if what == "import":
                    import_paths([root], target)
                elif what == "build":
                    pages = build_site(load_registry(imported), target).pages
                else:
                    build_site(loaded, target)
                times[what].append(time.process_time() - start)
        best = {what: min(values) for what, values in times.items()}
        for what, values in times.items():
            rounds = ", ".join(f"{t:.3f}" for t in values)
            print(f"{what:7} {args.files} files: best {best[what]:.3f} s CPU (rounds: {rounds})")
        print(
            json.dumps(
                {
                    "files": args.files,
                    "event_types": len(loaded.event_types),
                    "pages": pages,
                    "import_cpu_s": round(best["import"], 4),
                    "build_cpu_s": round(best["build"], 4),
                    "render_cpu_s": round(best["render"], 4),
                    "load_cpu_s": round(best["build"] - best["render"], 4),
                    "ratio_render": round(best["render"] / best["import"], 2),
                    "ratio": round(best["build"] / best["import"], 2),
                }
            )
        )


if __name__ == "__main__":
    main()
