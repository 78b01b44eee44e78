"""The summary of a synthesis run: units done, records accepted, rejections by reason, yield, tokens, time."""

from __future__ import annotations

from collections import Counter
from typing import Any

from optolab.synth.store import ACCEPTED


def _yield(accepted: int, total: int) -> float | None:
    return round(accepted / total, 4) if total else None


def summarize(records: list[dict[str, Any]], *, pipeline: str, this_run: dict[str, Any] | None = None
              ) -> dict[str, Any]:
    """Counts over every record of a run folder, plus what ``this_run`` (the latest invocation) did.

    ``generated`` counts units (instances, scenarios); ``accepted``/``rejected`` count records (a
    scenario of the reverse pipeline can give two questions). Yield is the share of units with an
    accepted record, overall and per family (generator, or scenario type); per problem class (where
    the class is known) it is the share of records accepted.
    Tokens and seconds are summed over units (each unit's cost is counted once).
    """
    units: dict[str, list[dict[str, Any]]] = {}
    for rec in records:
        units.setdefault(str(rec.get("unit")), []).append(rec)
    accepted = [r for r in records if r.get("verdict") == ACCEPTED]
    rejected = [r for r in records if r.get("verdict") != ACCEPTED]
    by_reason = Counter(str(r.get("reason") or "unknown") for r in rejected)
    families: dict[str, dict[str, Any]] = {}
    for unit, recs in units.items():
        fam = str(recs[0].get("family") or "unknown")
        f = families.setdefault(fam, {"generated": 0, "accepted_units": 0, "accepted": 0, "rejected": 0})
        f["generated"] += 1
        f["accepted_units"] += any(r.get("verdict") == ACCEPTED for r in recs)
        f["accepted"] += sum(1 for r in recs if r.get("verdict") == ACCEPTED)
        f["rejected"] += sum(1 for r in recs if r.get("verdict") != ACCEPTED)
    for f in families.values():
        f["yield"] = _yield(f["accepted_units"], f["generated"])
    classes: dict[str, dict[str, Any]] = {}
    for rec in records:
        cls = rec.get("class")
        if not cls:
            continue
        c = classes.setdefault(str(cls), {"records": 0, "accepted": 0})
        c["records"] += 1
        c["accepted"] += rec.get("verdict") == ACCEPTED
    for c in classes.values():
        c["yield"] = _yield(c["accepted"], c["records"])
    cost = Counter()
    for recs in units.values():
        for k, v in (recs[0].get("cost") or {}).items():
            if isinstance(v, (int, float)):
                cost[k] += v
    tokens = int(cost["prompt_tokens"] + cost["completion_tokens"])
    accepted_units = sum(1 for recs in units.values() if any(r.get("verdict") == ACCEPTED for r in recs))
    summary: dict[str, Any] = {
        "pipeline": pipeline,
        "generated": len(units),
        "accepted": len(accepted),
        "rejected": len(rejected),
        "accepted_units": accepted_units,
        "yield": _yield(accepted_units, len(units)),
        "rejected_by_reason": dict(by_reason.most_common()),
        "per_family": dict(sorted(families.items())),
        "per_class": dict(sorted(classes.items())),
        "tokens": {"prompt": int(cost["prompt_tokens"]), "completion": int(cost["completion_tokens"]),
                   "total": tokens, "per_accepted": round(tokens / len(accepted), 1) if accepted else None},
        "llm_calls": int(cost["llm_calls"]),
        "seconds": {"units_total": round(cost["seconds"], 3),
                    "per_unit": round(cost["seconds"] / len(units), 3) if units else None},
    }
    if this_run is not None:
        run = dict(this_run)
        wall = float(run.get("seconds") or 0.0)
        run["accepted_per_hour"] = round(run.get("accepted", 0) * 3600.0 / wall, 2) if wall > 0 else None
        summary["this_run"] = run
    return summary
