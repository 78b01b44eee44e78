"""Known benchmarks: where their files lie in a data directory, how to read them, where else to get them.

The data files are not shipped with optolab. Point at a folder holding them with ``data_dir=`` /
``--data-dir`` or the ``OPTOLAB_DATA_DIR`` environment variable. Hub ids are left unset: pass
``hub_id=`` to ``load_benchmark`` to read a Hugging Face copy you trust.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from optolab.errors import DataDirError, UnknownBenchmarkError

DATA_DIR_ENV = "OPTOLAB_DATA_DIR"

# Format names understood by optolab.datasets.loaders.
OPTIBENCH = "optibench"  # ReSocratic's OptiBench.json: list of {question, index, type, results}
RECORDS = "records"  # JSON lines (or a JSON list) of {en_question|question, en_answer|answer|objective}
NLP4LP = "nlp4lp"  # folders <id>/description.txt + <id>/solution.json, or JSON lines


@dataclass(frozen=True)
class BenchmarkSpec:
    """How to find and read one known benchmark."""

    name: str
    format: str
    paths: tuple[str, ...]  # candidates relative to the data directory, first existing one wins
    description: str
    hub_id: str | None = None
    hub_split: str = "test"
    no_optimum_sentinels: tuple[float, ...] = ()
    companion_paths: tuple[str, ...] = ()  # optional extra files (OptiBench's objective-only copy)


_SPECS = (
    BenchmarkSpec(
        name="optibench",
        format=OPTIBENCH,
        paths=("optibench/OptiBench.json",),
        companion_paths=("optibench/OptiBench_SIRL_objective_only.jsonl",),
        description=(
            "OptiBench (ReSocratic, Yang et al. 2024): 605 linear/nonlinear problems, some with tables; "
            "every keyed value of a solution is labelled."
        ),
    ),
    BenchmarkSpec(
        name="nl4opt",
        format=RECORDS,
        paths=("nl4opt/NL4OPT.jsonl",),
        description="NL4OPT test set (NeurIPS 2022 competition), SIRL-corrected: 245 linear problems.",
    ),
    BenchmarkSpec(
        name="mamo_easylp",
        format=RECORDS,
        paths=("mamo_easylp/MAMO_EasyLP_fixed.jsonl",),
        no_optimum_sentinels=(-9999.0,),
        description="MAMO EasyLP (Huang et al. 2024), SIRL-corrected: 642 small LP/MILP problems.",
    ),
    BenchmarkSpec(
        name="mamo_complexlp",
        format=RECORDS,
        paths=("mamo_complexlp/MAMO_ComplexLP_fixed.jsonl",),
        no_optimum_sentinels=(-9999.0,),
        description="MAMO ComplexLP (Huang et al. 2024), SIRL-corrected: larger LP/MILP problems.",
    ),
    BenchmarkSpec(
        name="industryor",
        format=RECORDS,
        paths=("industryor/IndustryOR.jsonl", "industryor/IndustryOR.json"),
        no_optimum_sentinels=(-9999.0,),
        description="IndustryOR (ORLM, Tang et al. 2024): industrial problems of several difficulty levels.",
    ),
    BenchmarkSpec(
        name="optmath_bench",
        format=RECORDS,
        paths=("optmath_bench/OptMATH_Bench.jsonl", "optmath_bench/OptMATH_Bench.json"),
        no_optimum_sentinels=(-9999.0,),
        description="OptMATH-Bench (Lu et al. 2025): long, hard LP/MILP/NLP problems.",
    ),
    BenchmarkSpec(
        name="nlp4lp",
        format=NLP4LP,
        paths=("nlp4lp", "nlp4lp/NLP4LP.jsonl"),
        description="NLP4LP (OptiMUS, AhmadiTeshnizi et al. 2024): LP/MILP problem folders.",
    ),
)

BENCHMARKS = MappingProxyType({spec.name: spec for spec in _SPECS})


def known_benchmarks() -> list[str]:
    """Names accepted by ``load_benchmark``."""
    return list(BENCHMARKS)


def get_spec(name: str) -> BenchmarkSpec:
    """The spec of a known benchmark; the error lists the known names."""
    key = name.strip().lower().replace("-", "_")
    if key not in BENCHMARKS:
        raise UnknownBenchmarkError(
            f"unknown benchmark {name!r}: use one of {', '.join(BENCHMARKS)}, or a path to a .jsonl/.json "
            "file or an NLP4LP-style folder"
        )
    return BENCHMARKS[key]


def resolve_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The data directory: the argument if given, else ``$OPTOLAB_DATA_DIR``; it must exist."""
    if data_dir is not None:
        origin = "the data_dir argument"
        path = Path(data_dir)
    elif os.environ.get(DATA_DIR_ENV):
        origin = f"${DATA_DIR_ENV}"
        path = Path(os.environ[DATA_DIR_ENV])
    else:
        raise DataDirError(
            "no data directory given: pass data_dir=... (CLI: --data-dir PATH) or set "
            f"{DATA_DIR_ENV} to the folder holding the benchmark files (e.g. optibench/OptiBench.json)"
        )
    path = path.expanduser()
    if not path.is_dir():
        raise DataDirError(f"data directory {str(path)!r} (from {origin}) does not exist or is not a folder")
    return path
