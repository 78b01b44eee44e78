"""Optimize a prompt on a small labelled task and report accuracy before and after on held-out data.

The task: sort customer messages into complaint, question or praise. The instruction given to
the model is a trainable parameter; each training round runs the training messages, sends
feedback on every mistake back through the traced workflow, and OptoPrime rewrites the
instruction. Accuracy is measured on a held-out split that the optimizer never sees.

    python examples/optimize_prompt.py [--model local] [--rounds 2]
"""

from __future__ import annotations

import argparse

from optolab import trace
from optolab.llm import LLM
from optolab.trace.optimizers import OptoPrime

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


def make_workflow(llm):
    @trace.node(description="Ask the model to label one message, following the instruction.")
    def label(instruction, message):
        return llm.complete(message, system=instruction, max_tokens=8, temperature=0.0)

    @trace.node(description="Read the label: the first of complaint/question/praise named in the reply, else the reply.")
    def parse(reply):
        text = reply.strip().lower()
        found = [(text.find(x), x) for x in LABELS if x in text]
        return min(found)[1] if found else text[:30]

    return lambda instruction, message: parse(label(instruction, message))


def accuracy(run, instruction, data) -> float:
    with trace.no_trace():
        return sum(run(instruction, m).data == y for m, y in data) / len(data)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="local")
    ap.add_argument("--api-base", default=None)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--show-prompt", action="store_true", help="print the optimizer's prompt of the first round")
    args = ap.parse_args()

    llm = LLM(args.model, api_base=args.api_base, max_tokens=600)
    run = make_workflow(llm)
    instruction = trace.node("Read the customer message.", trainable=True, name="instruction",
                             description="system prompt of the labelling call")
    optimizer = OptoPrime([instruction], llm, max_tokens=500,
                          instruction="Rewrite #Variables so that the model labels every message correctly.")
    before = accuracy(run, instruction, TEST)
    print(f"held-out accuracy before: {before:.0%}   instruction: {instruction.data!r}", flush=True)
    for r in range(1, args.rounds + 1):
        optimizer.zero_feedback()
        mistakes = 0
        for message, expected in TRAIN:
            out = run(instruction, message)
            if out.data != expected:
                mistakes += 1
                out.backward(f"For the message {message!r} the output was {out.data!r}; it must be exactly "
                             f"{expected!r} (one word: complaint, question or praise).")
        print(f"round {r}: {mistakes} training mistakes", flush=True)
        if not mistakes:
            break
        record = optimizer.step()
        if args.show_prompt and r == 1:
            print(record.user_prompt)
        if record.updates:
            print(f"  new instruction: {instruction.data!r}", flush=True)
        else:
            why = record.error or f"suggestion {record.suggestion!r}, unknown keys {record.unknown}"
            print(f"  no update ({why})", flush=True)
    after = accuracy(run, instruction, TEST)
    print(f"held-out accuracy after:  {after:.0%}   instruction: {instruction.data!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
