import warnings

import networkx as nx
import pytest

from optolab import trace


@trace.node
def ask(prompt, question):
    """Combine the prompt and the question."""
    return f"{prompt}\n{question}"


def _graph():
    prompt = trace.node("Answer briefly.", trainable=True, name="prompt", description="system prompt")
    out = ask(prompt, "2+2?") + trace.node(' "quoted" <tag>')
    return prompt, out


def test_to_networkx_has_nodes_edges_and_attributes():
    prompt, out = _graph()
    g = trace.to_networkx(out)
    assert isinstance(g, nx.DiGraph) and nx.is_directed_acyclic_graph(g)
    assert g.nodes[prompt.label]["trainable"] and g.nodes[prompt.label]["description"] == "system prompt"
    ask_label = out.parents[0].label
    assert g.edges[prompt.label, ask_label]["argument"] == "prompt"
    assert g.nodes[ask_label]["operator"] == "ask" and g.nodes[ask_label]["kind"] == "operator"
    assert set(nx.ancestors(g, out.label)) == set(g.nodes) - {out.label}
    minimal = trace.to_networkx(out, minimal=True)
    assert set(minimal.nodes) == {prompt.label, ask_label, out.label}


def test_dot_and_mermaid_text_escape_labels():
    prompt, out = _graph()
    dot = trace.to_dot(out)
    assert dot.startswith('digraph "trace"') and f'"{prompt.label}" -> ' in dot
    assert '\\"quoted\\"' in dot  # quotes are escaped
    mmd = trace.to_mermaid(out)
    assert mmd.startswith("flowchart TB") and "-->|prompt|" in mmd
    assert "#quot;" in mmd and "<tag>" not in mmd


def test_render_falls_back_to_text_without_graphviz(tmp_path, monkeypatch):
    from optolab.trace import export

    monkeypatch.setattr(export, "graphviz_available", lambda: False)
    _, out = _graph()
    with pytest.warns(RuntimeWarning, match="graphviz is not installed"):
        path = trace.render(out, tmp_path / "g.svg")
    assert path.suffix == ".dot" and path.read_text().startswith("digraph")
    assert (tmp_path / "g.mmd").read_text().startswith("flowchart")
    mmd = trace.render(out, tmp_path / "only.mmd")
    assert mmd.read_text().startswith("flowchart")
    with pytest.raises(ValueError, match="writes .svg"):
        trace.render(out, tmp_path / "g.jpg")


@pytest.mark.skipif(not trace.graphviz_available(), reason="graphviz 'dot' program not installed")
def test_render_svg_with_graphviz(tmp_path):
    _, out = _graph()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        path = trace.render(out, tmp_path / "g.svg")
    assert path.suffix == ".svg" and "<svg" in path.read_text()
