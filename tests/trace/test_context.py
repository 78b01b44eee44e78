import asyncio
import gc
import threading
import tracemalloc
import weakref

from optolab import trace


@trace.node
def step(x):
    return x + 1


def test_threads_trace_independently():
    results = {}
    barrier = threading.Barrier(2)

    def worker(name, disable):
        p = trace.node(0, trainable=True, name=name)
        barrier.wait()
        if disable:
            with trace.no_trace():
                barrier.wait()
                out = step(p)
        else:
            barrier.wait()  # the other thread is inside no_trace() now
            out = step(p)
        results[name] = out

    threads = [threading.Thread(target=worker, args=("a", True)), threading.Thread(target=worker, args=("b", False))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results["a"].parents == ()
    assert results["b"].parents[0].name == "b"


def test_asyncio_tasks_trace_independently():
    async def untraced(p, started, proceed):
        with trace.no_trace():
            started.set()
            await proceed.wait()
            return step(p)

    async def traced(p, started, proceed):
        await started.wait()
        out = step(p)  # runs while the other task is inside no_trace()
        proceed.set()
        return out

    async def main():
        started, proceed = asyncio.Event(), asyncio.Event()
        p, q = trace.node(1, trainable=True), trace.node(2, trainable=True)
        a, b = await asyncio.gather(untraced(p, started, proceed), traced(q, started, proceed))
        return a, b, q

    a, b, q = asyncio.run(main())
    assert a.parents == () and b.parents[0] is q


def test_graphs_are_freed_when_results_are_dropped():
    p = trace.node(0, trainable=True)
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    out = p
    for _ in range(2000):
        out = step(out)
    grown = tracemalloc.get_traced_memory()[0] - base
    ref = weakref.ref(out)
    del out
    gc.collect()
    left = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    assert ref() is None
    assert grown > 200_000 and left < grown * 0.1


def test_parameter_children_list_does_not_grow_without_bound():
    p = trace.node(1, trainable=True)
    for _ in range(5000):
        p + 1  # each result is dropped at once
    assert len(p._children) < 1100
    assert p.children == []
