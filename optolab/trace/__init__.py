"""Traced computation graphs for LLM workflows (the OPTO setting of "Trace is the New AutoDiff").

>>> from optolab import trace
>>> prompt = trace.node("Answer briefly.", trainable=True, name="prompt")
>>> @trace.node
... def ask(prompt, question):
...     return f"{prompt}\\n{question}"
>>> out = ask(prompt, "2+2?")
>>> out.backward("too verbose")
>>> prompt.feedback[0].content
'too verbose'
"""

from optolab.trace import ops
from optolab.trace.api import bundle, node
from optolab.trace.backward import backward
from optolab.trace.code import CodeParameter
from optolab.trace.context import is_tracing, no_trace, on_error
from optolab.trace.export import graphviz_available, render, to_dot, to_mermaid, to_networkx
from optolab.trace.graph import parameters_of, subgraph, topological
from optolab.trace.module import Module
from optolab.trace.nodes import ErrorInfo, ErrorNode, FeedbackEntry, Node, OpNode, Parameter
from optolab.trace.operators import BoundOperator, Operator

__all__ = [
    "BoundOperator", "CodeParameter", "ErrorInfo", "ErrorNode", "FeedbackEntry", "Module", "Node", "OpNode",
    "Operator", "Parameter", "backward", "bundle", "graphviz_available", "is_tracing", "no_trace", "node",
    "on_error", "ops", "parameters_of", "render", "subgraph", "to_dot", "to_mermaid", "to_networkx", "topological",
]
