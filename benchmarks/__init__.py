"""Benchmarks of wengert against NumPy, a hand-written gradient and other AD libraries.

Run ``python -m benchmarks.run`` (or ``--quick``); see ``benchmarks/README.md``.
"""
