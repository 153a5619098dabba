"""A progress bar for the run: tqdm when it is installed (the ``bench`` extra), else one
plain line per step on stderr."""

from __future__ import annotations

import sys


class Progress:
    """``step(message)`` after each finished unit of work; ``close()`` at the end."""

    def __init__(self, total: int, desc: str = "benchmarks"):
        self.total, self.done = total, 0
        try:
            from tqdm import tqdm
        except ImportError:
            self.bar = None
        else:
            self.bar = tqdm(total=total, desc=desc, file=sys.stderr, leave=True,
                            bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}]")

    def step(self, message: str) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.write(message, file=sys.stderr)
            self.bar.update(1)
        else:
            print(f"[{self.done}/{self.total}] {message}", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
