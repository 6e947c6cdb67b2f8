"""The README's nn training example stays right for any number of epochs: its schedule starts
at its start rate and reaches its end rate at the last step, whatever `epochs` is."""
from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

from nn import SGD
from nn.schedules import Schedule

README = Path(__file__).resolve().parents[2] / "README.md"


def training_example(epochs: int) -> str:
    """The README's nn example up to its fit call, with `epochs` in place of its own."""
    section = README.read_text().split("## Training networks with `nn`", 1)[1]
    block = section.split("```python", 1)[1].split("```", 1)[0]
    sources = [example.source for example in doctest.DocTestParser().get_examples(block)]
    through_fit = sources[:next(i for i, source in enumerate(sources) if "fit(" in source) + 1]
    code = "".join(through_fit)
    assert len(re.findall(r"\bepochs=\d+", code)) == 1, code
    return re.sub(r"\bepochs=\d+", f"epochs={epochs}", code)


@pytest.mark.parametrize("epochs", [2, 5])
def test_the_readme_schedule_goes_from_start_to_end_at_any_number_of_epochs(epochs, monkeypatch):
    used = []
    rate_for_step = SGD.current_lr

    def recording(self):
        used.append(rate_for_step(self))
        return used[-1]

    monkeypatch.setattr(SGD, "current_lr", recording)
    namespace: dict = {}
    exec(training_example(epochs), namespace)
    schedule = namespace["opt"].lr
    assert isinstance(schedule, Schedule)
    steps = epochs * len(namespace["X"]) // 10  # batch_size=10
    assert len(used) == steps == namespace["opt"].steps
    assert used[0] == schedule.start
    assert used[-1] == schedule.end
    assert len(namespace["history"]) == epochs
