"""Shared test configuration.

Makes the test helpers importable however pytest is started (``python -m pytest`` from
the repository root, ``pytest tests/table/test_table.py``, any import mode): the ``tests``
folder goes on ``sys.path``, so ``table`` (``tests/table``) is a package and the table
modules import their helpers as ``from .row import Row, DOMAINS, ...``.
"""

from __future__ import annotations

import os
import sys

_TESTS = os.path.dirname(os.path.abspath(__file__))
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)
