"""`python -m bench`: run every benchmark module present, one after another."""

from __future__ import annotations

import importlib
import pkgutil

import bench


def run_all() -> None:
    for info in sorted(pkgutil.iter_modules(bench.__path__), key=lambda m: m.name):
        if info.name.startswith("bench_"):
            print(f"\n######## {info.name}", flush=True)
            importlib.import_module(f"bench.{info.name}").main([])


if __name__ == "__main__":
    run_all()
