"""The compiler: capture a graph once and replay it as generated straight-line Python.

    capture.py   the graph as flat arrays in backprop's order (what a replay needs)
    forms.py     ops.py's rows as templates for generated lines
    codegen.py   the forward and backward functions, chunk by chunk
    compiled.py  compile_graph and CompiledGraph: the generated program and its runs
    batched.py   compile_batched: one sample's code in a loop over a batch's rows
    replay.py    the slow path: an eager replay that raises eager's errors
"""
from autograd_mini.compiler.batched import BatchedGraph, BatchForward, compile_batched
from autograd_mini.compiler.compiled import CompiledGraph, compile_graph

__all__ = ["compile_graph", "CompiledGraph", "compile_batched", "BatchedGraph", "BatchForward"]
