"""Improve the *code* of a function from feedback until it meets a target.

A numeric workflow in the spirit of the numerical-optimization example of "Trace is the New
AutoDiff" (Cheng et al., 2024): ``predict`` is a trainable function; each step runs it on a few
inputs, compares with the target values, turns the errors into feedback, and the optimizer rewrites
the function. Stops when every prediction is within the tolerance.

By default the search optimizer is used: each step asks for several rewrites, scores each on the
shown points, and keeps the best two (a small local model's single proposal is often worse than
the code it replaces). The numbers of the best proposal are then fitted on the shown points by a pattern search
(``--fit-constants N`` score evaluations a step, 0 turns it off): the model proposes the shape of the formula,
the search its numbers, as in LLM-SR (Shojaee et al., 2024). ``--optimizer optoprime`` takes one greedy proposal
per step instead.

    python examples/optimize_function.py [--model local] [--steps 6] [--optimizer search|optoprime]
"""

from __future__ import annotations

import argparse

from optolab import trace
from optolab.llm import LLM
from optolab.trace.optimizers import OptoPrime, SearchOptimizer

XS = [0.0, 1.0, 2.0, 3.0, 5.0]  # shown to the optimizer through the feedback
HELD_OUT = [4.0, 7.5, 10.0]  # never shown: a lookup table of the shown points fails here
PROBES = [-1.0, 2.5, 8.0]  # the score checks that predict gives a number here (no target is used)


INSTRUCTION = ("Change predict so that its predictions match the measurements. predict must compute y from x with a "
               "formula (for example a * x + b) that also works for inputs that were never measured: never index "
               "the measurements or list the shown points.")


HIDDEN = {"slope": 3.0, "intercept": 4.0}  # set from --slope/--intercept; never shown to the optimizer


def target(x: float) -> float:
    return HIDDEN["slope"] * x + HIDDEN["intercept"]  # what predict should compute


@trace.node(trainable=True, description="Predict y for input x. Should match the measurements.")
def predict(x):
    return x


@trace.node(description="Mean absolute error between predictions and measurements.")
def mean_error(predictions, measured):
    return sum(abs(p - m) for p, m in zip(predictions, measured)) / len(measured)


def shown_error(measured: list[float]) -> float:
    """Mean absolute error on the shown points; a function that fails, or gives no number for other
    inputs (a lookup of the shown points), scores as a huge error. The other inputs have no target:
    only that predict answers them is checked, so nothing of the held-out data leaks."""
    with trace.no_trace():
        outs = [predict(x) for x in XS + PROBES]
    if any(o.is_error or not isinstance(o.data, (int, float)) for o in outs):
        return 1e9
    outs = outs[: len(XS)]
    return sum(abs(o.data - m) for o, m in zip(outs, measured)) / len(measured)


def held_out_error() -> float | None:
    with trace.no_trace():
        outs = [predict(x) for x in HELD_OUT]
    if any(o.is_error or not isinstance(o.data, (int, float)) for o in outs):
        return None  # fails, or returns no number (a lookup table of the shown points gives None)
    return sum(abs(o.data - target(x)) for o, x in zip(outs, HELD_OUT)) / len(HELD_OUT)


def feedback_for(predictions: list, measured: list[float], held_out: float | None, detail: str = "residuals") -> str:
    failed = next((p for p in predictions if p.is_error), None)
    if failed is not None:
        return failed.feedback_text() + "\nFix predict so that it runs and returns a number for every x."
    rows = [f"x={x:g}: predicted {p.data:g}, measured {m:g} (off by {p.data - m:+g})"
            for x, p, m in zip(XS, predictions, measured)]
    if all(abs(p.data - m) <= 1e-9 for p, m in zip(predictions, measured)):
        why = "failed" if held_out is None else f"is off by {held_out:.3g} on average"
        return ("The shown points match, but predict " + why + " on other inputs: it must be a general formula in "
                "x that works for every x, not a lookup of the shown points.")
    text = "The predictions do not match the measurements: " + "; ".join(rows) + "."
    if detail == "correction":  # the missing part, fitted by a line: which way and how far to move (a gradient)
        slope, intercept = _line(list(XS), [m - p.data for p, m in zip(predictions, measured)])
        text += (f" At every shown x the measurement minus the prediction is about {_linear_text(slope, intercept)}:"
                 f" predict returns too little by that amount (too much where it is negative), so adding it to "
                 "what predict returns now would match.")
    elif detail == "residuals":  # what a person fitting a curve looks at next: how the error changes with x
        slope, intercept = _line([x for x in XS], [p.data - m for p, m in zip(predictions, measured)])
        text += (f" A straight line through these errors is error = {slope:+.4g} * x {intercept:+.4g}: predict "
                 "is off by that much at every x.")
    return text + " Rewrite predict as a formula in x alone (no lookup tables) that gives the measured value for every x."


def _linear_text(slope: float, intercept: float) -> str:
    """'2*x + 4', '-0.5*x - 1', '3': a line as a person writes it (coefficients rounded to 4 digits)."""
    a, b = float(f"{slope:.4g}"), float(f"{intercept:.4g}")
    terms = ([f"{a:g}*x"] if a else []) + ([f"{b:g}"] if b or not a else [])
    return " + ".join(terms).replace("+ -", "- ")


def _line(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least-squares slope and intercept of ys against xs."""
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else 0.0
    return slope, my - slope * mx


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="local")
    ap.add_argument("--api-base", default=None)
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--tolerance", type=float, default=1e-6)
    ap.add_argument("--optimizer", choices=("search", "optoprime"), default="search")
    ap.add_argument("--candidates", type=int, default=3, help="proposals per step (search only)")
    ap.add_argument("--feedback", choices=("residuals", "correction", "plain"), default="residuals",
                    help="residuals: the per-point errors and a straight line through them; correction: a line "
                         "through what predict lacks, to be added; plain: the errors only")
    ap.add_argument("--fit-constants", type=int, default=100,
                    help="score evaluations a step spent fitting the numbers of the best proposal (search only; 0: off)")
    ap.add_argument("--history", default=None, help="save every step's prompt, replies and scores to this JSON file")
    ap.add_argument("--slope", type=float, default=3.0, help="the hidden function is slope * x + intercept")
    ap.add_argument("--intercept", type=float, default=4.0)
    args = ap.parse_args()
    HIDDEN.update(slope=args.slope, intercept=args.intercept)

    llm = LLM(args.model, api_base=args.api_base, max_tokens=600)
    measured = [target(x) for x in XS]
    if args.optimizer == "search":  # its #Scored section shows every earlier try: no separate memory
        optimizer = SearchOptimizer([predict], llm, score=lambda: -shown_error(measured), instruction=INSTRUCTION,
                                    candidates=args.candidates, beam_width=2, fit_constants=args.fit_constants)
    else:
        optimizer = OptoPrime([predict], llm, memory_size=2, instruction=INSTRUCTION)
    try:
        return run(args, optimizer, measured)
    finally:
        if args.history:
            optimizer.save_history(args.history)


def run(args: argparse.Namespace, optimizer: OptoPrime, measured: list[float]) -> int:
    for step in range(args.steps + 1):
        predictions = [predict(x) for x in XS]
        error = mean_error(predictions, measured)
        body = " ".join(line.strip() for line in predict.code.data.strip().splitlines()[1:])
        shown = f"{error.data:.4g}" if not error.is_error else f"failed ({error.error.type})"
        held = held_out_error()
        held_text = "failed" if held is None else f"{held:.4g}"
        print(f"step {step}: mean error {shown}, held-out error {held_text}   [{body}]", flush=True)
        if not error.is_error and error.data <= args.tolerance and held is not None and held <= args.tolerance:
            print(f"target met after {step} step(s):\n{predict.code.data}")
            return 0
        if step == args.steps:
            break
        optimizer.zero_feedback()
        error.backward(feedback_for(predictions, measured, held, args.feedback))
        record = optimizer.step()
        if record.error:
            print(f"  (no update: {record.error})")
        elif not record.updates:
            print(f"  (no change proposed; rejected: {record.rejected or 'none'})")
        fitted = record.extra.get("constants_fitted")
        if fitted:
            print(f"  numbers of {fitted['origin']} fitted: shown-point error {abs(fitted['from']):.4g} -> "
                  f"{abs(fitted['to']):.4g} in {fitted['evals']} evaluations")
        if "best_score" in record.extra:
            print(f"  {record.extra['candidates']} new candidate(s); best shown-point error "
                  f"{abs(record.extra['best_score']):.4g} ({record.extra['best_origin']})")
        print(f"  LLM: {record.prompt_tokens} prompt + {record.completion_tokens} completion tokens, "
              f"{record.llm_seconds:.1f} s", flush=True)
    print(f"target not met within {args.steps} steps; final code:\n{predict.code.data}")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
