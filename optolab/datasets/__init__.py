"""Benchmark datasets for optimization modeling: loaders, item types and the registry of known benchmarks.

>>> from optolab.datasets import load_benchmark
>>> bench = load_benchmark("nl4opt", data_dir="path/to/data")      # doctest: +SKIP
>>> bench.sample(50, seed=0).items[0].objective                    # doctest: +SKIP

Data files are not shipped: pass ``data_dir=`` or set ``OPTOLAB_DATA_DIR``.
"""

from optolab.datasets.labels import ParsedLabel, parse_label
from optolab.datasets.loaders import load_benchmark
from optolab.datasets.registry import (
    BENCHMARKS,
    DATA_DIR_ENV,
    BenchmarkSpec,
    known_benchmarks,
    resolve_data_dir,
)
from optolab.datasets.types import Benchmark, BenchmarkIssue, BenchmarkItem, LabelKind

__all__ = [
    "BENCHMARKS",
    "DATA_DIR_ENV",
    "Benchmark",
    "BenchmarkIssue",
    "BenchmarkItem",
    "BenchmarkSpec",
    "LabelKind",
    "ParsedLabel",
    "known_benchmarks",
    "load_benchmark",
    "parse_label",
    "resolve_data_dir",
]
