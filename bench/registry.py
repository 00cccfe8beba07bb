"""Benchmark: `tidings asyncapi import` of a registry of ~260 message files against merely parsing their YAML.

The registry is synthetic but made of real files: every message file of the sample in tests/data/registry
(byte-exact hmpps-domain-events files, awkward ones included) copied under new producer folders with its event
type renamed, until there are 260 files (plus the envelope and the AsyncAPI document). Both sides run in this
process, alternating, 5 rounds; CPU time (process_time) per round, the best round of each is compared.

    python bench/registry.py [--files 260] [--rounds 5]

Two baselines: `parse` = libyaml (yaml.CSafeLoader, what the importer itself parses with) and `safe_load` =
PyYAML's pure-Python `yaml.safe_load` (the usual way to read YAML in Python).

Last line: {"files", "event_types", "parse_cpu_s", "import_cpu_s", "import_sys_cpu_s", "safe_load_cpu_s",
"ratio_vs_safe_load", "ratio"}, ratio = import / libyaml parse (the issue's target is ≤ 3). `import_sys_cpu_s`
is the kernel's share of the best import round: creating ~1,000 files and folders, which swings tenfold when
other processes write to the same disk (0.03 ms a file quiet, 0.4 ms under a neighbour's pip install).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import yaml

from tidings.contracts.asyncapi.importer import import_paths
from tidings.contracts.asyncapi.yaml_lines import plain_loader

SAMPLE = Path(__file__).parents[1] / "tests" / "data" / "registry" / "hmpps-domain-events"


def synthetic_registry(root: Path, files: int) -> list[Path]:
    """A registry checkout under `root` with `files` message files; returns the YAML files."""
    shutil.copytree(SAMPLE / "schema", root / "schema")
    messages = sorted(
        p
        for p in (SAMPLE / "spec").rglob("*")
        if p.suffix in (".yml", ".yaml") and "override" not in p.parts and p.name != "hmpps-domain-events.yml"
    )
    written: list[Path] = []
    copy = 0
    while len(written) < files:
        for source in messages:
            if len(written) >= files:
                break
            area = "schemas" if "schemas" in source.parts else "auto"
            text = source.read_text(encoding="utf-8")
            data = yaml.load(text, Loader=plain_loader())
            name = data.get("name") if isinstance(data, dict) else None
            if copy and isinstance(name, str) and "." in name:
                text = text.replace(name, f"copy{copy}-{name}")
            target = root / "spec" / area / f"{source.parent.name}-{copy}" / source.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            written.append(target)
        copy += 1
    return written


def parse_pure(paths: list[Path]) -> None:
    for path in paths:
        yaml.safe_load(path.read_text(encoding="utf-8"))


def parse_only(paths: list[Path]) -> None:
    loader = plain_loader()
    for path in paths:
        yaml.load(path.read_text(encoding="utf-8"), Loader=loader)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=260)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "hmpps-domain-events"
        paths = synthetic_registry(root, args.files)
        parse_times, import_times, pure_times, event_types = [], [], [], 0
        import_sys: list[float] = []
        for round_ in range(args.rounds):
            order = ("parse", "import", "pure") if round_ % 2 == 0 else ("pure", "import", "parse")
            for what in order:
                start, start_sys = time.process_time(), os.times().system
                if what == "pure":
                    parse_pure(paths)
                    pure_times.append(time.process_time() - start)
                elif what == "parse":
                    parse_only(paths)
                    parse_times.append(time.process_time() - start)
                else:
                    report = import_paths([root], Path(tmp) / f"out{round_}")
                    import_times.append(time.process_time() - start)
                    import_sys.append(os.times().system - start_sys)
                    event_types = report.event_type_count
        best_parse, best_import = min(parse_times), min(import_times)
        for label, times in (("libyaml parse", parse_times), ("safe_load", pure_times), ("import", import_times)):
            rounds = ", ".join(f"{t:.3f}" for t in times)
            print(f"{label:14} {args.files} files: best {min(times):.3f} s CPU (rounds: {rounds})")
        print(
            json.dumps(
                {
                    "files": args.files,
                    "event_types": event_types,
                    "parse_cpu_s": round(best_parse, 4),
                    "import_cpu_s": round(best_import, 4),
                    "import_sys_cpu_s": round(import_sys[import_times.index(best_import)], 4),
                    "safe_load_cpu_s": round(min(pure_times), 4),
                    "ratio_vs_safe_load": round(best_import / min(pure_times), 2),
                    "ratio": round(best_import / best_parse, 2),
                }
            )
        )


if __name__ == "__main__":
    main()
