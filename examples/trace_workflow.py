"""Trace a small multi-step workflow, print its graph, and send feedback back through it.

The workflow quotes a price for an order written in plain text:

    parse the order  ->  price it with a trainable discount rule  ->  write the reply with a trainable template

Run it with ``python examples/trace_workflow.py``; add ``--render graph.svg`` to draw the graph
(graphviz if installed, DOT/Mermaid text otherwise).
"""

from __future__ import annotations

import argparse
import re

from optolab import trace

PRICES = {"chair": 40.0, "table": 150.0, "lamp": 25.0}


@trace.node
def parse_order(text: str) -> dict:
    """Read 'N item' pairs from the order text."""
    return {item: int(n) for n, item in re.findall(r"(\d+)\s+(chair|table|lamp)s?", text)}


@trace.node(trainable=True, description="discount rule applied to the order subtotal")
def discount(subtotal: float, n_items: int) -> float:
    if n_items >= 10:
        return 0.05 * subtotal
    return 0.0


@trace.node
def subtotal_of(order: dict) -> float:
    """Sum of list prices."""
    return sum(PRICES[item] * n for item, n in order.items())


@trace.node
def write_reply(template: str, total: float, order: dict) -> str:
    """Fill the reply template."""
    items = ", ".join(f"{n} x {item}" for item, n in order.items())
    return template.format(items=items, total=total)


class Quoter(trace.Module):
    def __init__(self):
        self.template = trace.node("Order: {items}. Total: {total:.2f} EUR.", trainable=True, name="template",
                                   description="reply template with {items} and {total}")
        self.discount = discount  # a trainable operator held by the module: its code is a parameter

    def forward(self, text: str):
        order = parse_order(text)
        sub = subtotal_of(order)
        n_items = trace.ops.apply(lambda o: sum(o.values()), order)
        total = sub - self.discount(sub, n_items)
        return write_reply(self.template, total, order)


def tree(node: trace.Node, indent: str = "", shown: set | None = None) -> list[str]:
    """A readable outline of the graph, output first; a node already shown is not expanded again."""
    shown = set() if shown is None else shown
    tag = {"parameter": " [trainable]", "code": " [trainable code]"}.get(node.kind, "")
    if node.uid in shown:
        return [f"{indent}{node.label} (see above)"]
    shown.add(node.uid)
    lines = [f"{indent}{node.label}{tag} = {trace.nodes.short_repr(node.data, 50)}"]
    for arg, parent in zip(getattr(node, "arg_names", ()), node.parents):
        sub = tree(parent, indent + "    ", shown)
        sub[0] = f"{indent}  {arg}: " + sub[0].lstrip()
        lines.extend(sub)
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--order", default="Please send 8 chairs and 2 tables to the office.")
    ap.add_argument("--render", metavar="FILE", help="also draw the graph to FILE (.svg/.png/.dot/.mmd)")
    args = ap.parse_args()

    quoter = Quoter()
    reply = quoter(args.order)
    print("reply:", reply.data)
    print("\ntraced graph (output first):")
    print("\n".join(tree(reply)))
    g = trace.to_networkx(reply)
    print(f"\n{g.number_of_nodes()} nodes, {g.number_of_edges()} edges; "
          f"{len(trace.subgraph(reply))} of them lie between the parameters and the reply")
    print("\nMermaid:\n" + trace.to_mermaid(reply, minimal=True))

    reply.backward("Orders of 10 items or more get 10% off, and the reply must say the discount.")
    print("feedback that reached each parameter:")
    for name, param in quoter.named_parameters():
        for entry in param.feedback:
            print(f"  {name}: {entry.content!r}\n    path: {' <- '.join(entry.path)}")
    print("\nparameters of the module:", ", ".join(n for n, _ in quoter.named_parameters()))
    if args.render:
        print("graph written to", trace.render(reply, args.render))


if __name__ == "__main__":
    main()
