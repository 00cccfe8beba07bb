"""Print every import cycle among tidings' modules; exit 1 if there is one.

Run from the repo root: `python scripts/import_cycles.py` (CI runs it). It reads the namespace through
`.ci/namespace-view` (static tools cannot follow setuptools' editable hook) and builds the import graph with
grimp, import-linter's own graph library, counting imports inside functions too: a lazy import that closes a
circle is still a circle a reader has to hold in their head.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("tidings.contracts", "tidings.simulator", "tidings.cli", "tidings.pytest_plugin", "tidings.fixtures")


def cycles(graph: grimp.ImportGraph, skip: set[str]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted.

    Edges from a package in `skip` to its own modules are left out."""
    modules = sorted(graph.modules)

    def imported_by(module: str) -> list[str]:
        # A package's __init__ importing its own modules (to re-export them) is how a package shows its API,
        # not a circle; every other edge counts, imports inside functions included.
        children = module in skip
        return sorted(
            m for m in graph.find_modules_directly_imported_by(module) if not (children and m.startswith(module + "."))
        )

    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:
        nonlocal counter
        work = [(start, iter(imported_by(start)))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(imported_by(child))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))

    for module in modules:
        if module not in index:
            visit(module)
    return found


def main() -> int:
    view = subprocess.run(["bash", ".ci/namespace-view"], cwd=ROOT, check=True, capture_output=True, text=True)
    sys.path.insert(0, str(ROOT / view.stdout.strip()))
    graph = grimp.build_graph(*PACKAGES, include_external_packages=False)
    packages = {m for m in graph.modules if (ROOT / view.stdout.strip() / m.replace(".", "/")).is_dir()}
    found = cycles(graph, skip=packages)
    for component in found:
        print("cycle: " + " <-> ".join(component))
    print(f"{len(graph.modules)} modules, {len(found)} import cycles")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
