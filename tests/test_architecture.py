"""The layout the architecture relies on: no two modules import each other (at import time
or inside a function), and the layer contract of `make lint` holds (DESIGN.md, "Apps")."""

from __future__ import annotations

import grimp

PACKAGES = ("tenancy", "accounts", "partnerships", "culture", "discovery", "transition", "demo")


def test_no_two_modules_import_each_other():
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    pairs = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if module in graph.find_modules_directly_imported_by(imported):
                pairs.add(tuple(sorted((module, imported))))
    assert not pairs, "modules that import each other: " + ", ".join(
        f"{a} <-> {b}" for a, b in sorted(pairs)
    )
