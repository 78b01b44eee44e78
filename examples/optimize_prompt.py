"""Optimize a prompt on a small labelled task and report accuracy before and after on held-out data.

The task: sort customer messages into complaint, question or praise. The instruction given to
the model is a trainable parameter. One traced step labels a whole batch of messages, so the
optimizer sees one compact graph (instruction and messages in, labels out) with feedback that
lists every mistake. By default the search optimizer asks for several rewrites per round, scores
each by its training accuracy, and keeps the best, so a bad proposal of a small model never
replaces a better instruction; ``--optimizer optoprime`` applies one greedy proposal per round.
Accuracy is measured on a held-out split that the optimizer never sees.

    python examples/optimize_prompt.py [--model local] [--rounds 2] [--optimizer search|optoprime]
"""

from __future__ import annotations

import argparse

from optolab import trace
from optolab.llm import LLM
from optolab.trace.optimizers import OptoPrime, SearchOptimizer

LABELS = ("complaint", "question", "praise")
TRAIN = [
    ("My parcel arrived two weeks late and the box was crushed.", "complaint"),
    ("Do you deliver to Iceland?", "question"),
    ("The support agent solved my issue in five minutes, thank you!", "praise"),
    ("I was charged twice for the same order.", "complaint"),
    ("Can I change the colour after ordering?", "question"),
    ("Lovely quality, the jacket fits perfectly.", "praise"),
    ("Nobody answers the phone at your shop.", "complaint"),
    ("What is the warranty on the blender?", "question"),
    ("Fast shipping and great packaging.", "praise"),
]
TEST = [
    ("The app crashes every time I open my basket.", "complaint"),
    ("Is there a student discount?", "question"),
    ("Best pizza in town, as always.", "praise"),
    ("The replacement part was the wrong size again.", "complaint"),
    ("How long does a refund take?", "question"),
    ("Your staff were so kind to my grandmother.", "praise"),
    ("I still have not received the invoice I asked for.", "complaint"),
    ("Which sizes does the blue shirt come in?", "question"),
    ("The new update made the app much faster, well done.", "praise"),
]


def read_label(reply: str) -> str:
    """The first of complaint/question/praise named in the reply, else the start of the reply."""
    text = reply.strip().lower()
    found = [(text.find(x), x) for x in LABELS if x in text]
    return min(found)[1] if found else text[:30]


def make_workflow(llm):
    @trace.node(description="Label each message with the model, following the instruction; returns one label "
                            "(complaint, question or praise) per message.")
    def label_all(instruction, messages):
        return [read_label(llm.complete(m, system=instruction, max_tokens=8, temperature=0.0)) for m in messages]

    return label_all


def accuracy(run, instruction, data) -> float:
    with trace.no_trace():
        labels = run(instruction, [m for m, _ in data]).data
    return sum(got == y for got, (_, y) in zip(labels, data)) / len(data)


def feedback_for(labels: list[str], data) -> str:
    wrong = [f"{m!r}: got {got!r}, expected {y!r}" for got, (m, y) in zip(labels, data) if got != y]
    if not wrong:
        return "Every message is labelled correctly."
    return (f"{len(wrong)} of {len(data)} messages are labelled wrongly. " + "; ".join(wrong) +
            ". Rewrite the instruction so that the model answers with exactly one word, complaint, question or "
            "praise, and picks the right one.")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="local")
    ap.add_argument("--api-base", default=None)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--optimizer", choices=("search", "optoprime"), default="search")
    ap.add_argument("--candidates", type=int, default=3, help="rewrites scored per round (search only)")
    ap.add_argument("--show-prompt", action="store_true", help="print the optimizer's prompt of the first round")
    args = ap.parse_args()

    llm = LLM(args.model, api_base=args.api_base, max_tokens=600)
    run = make_workflow(llm)
    instruction = trace.node("Read the customer message.", trainable=True, name="instruction",
                             description="system prompt of the labelling call")
    messages = trace.node([m for m, _ in TRAIN], name="messages")
    task = "Rewrite #Variables so that the model labels every message correctly."
    if args.optimizer == "search":
        optimizer = SearchOptimizer([instruction], llm, score=lambda: accuracy(run, instruction, TRAIN),
                                    candidates=args.candidates, beam_width=2, max_tokens=500, instruction=task)
    else:
        optimizer = OptoPrime([instruction], llm, max_tokens=500, instruction=task)
    before = accuracy(run, instruction, TEST)
    print(f"held-out accuracy before: {before:.0%}   instruction: {instruction.data!r}", flush=True)
    for r in range(1, args.rounds + 1):
        optimizer.zero_feedback()
        labels = run(instruction, messages)
        mistakes = sum(got != y for got, (_, y) in zip(labels.data, TRAIN))
        print(f"round {r}: {mistakes} training mistakes", flush=True)
        if not mistakes:
            break
        labels.backward(feedback_for(labels.data, TRAIN))
        record = optimizer.step()
        if args.show_prompt and r == 1:
            print(record.user_prompt)
        if record.updates:
            print(f"  new instruction: {instruction.data!r}", flush=True)
        else:
            why = record.error or f"suggestion {record.suggestion!r}, unknown keys {record.unknown}"
            print(f"  no update ({why})", flush=True)
        if "best_score" in record.extra:
            print(f"  {record.extra['candidates']} new candidate(s); best training accuracy "
                  f"{record.extra['best_score']:.0%} ({record.extra['best_origin']})", flush=True)
    after = accuracy(run, instruction, TEST)
    print(f"held-out accuracy after:  {after:.0%}   instruction: {instruction.data!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
