"""Ratio benchmarks: autograd_mini against a flat-list tape and PyPI micrograd, in one run."""
