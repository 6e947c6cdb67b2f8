"""Files the site gets at build time, from the project itself rather than from docs/.

- notebooks/*.ipynb, rendered by mkdocs-jupyter from the outputs saved in them (the
  tests execute every notebook; the site does not run them again);
- assets/step_player.html: a step player made by autograd_mini's StepPlayer at every
  build, so the page embedded in "Pictures and the step player" is today's player.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
PLAYER = "assets/step_player.html"


def step_player_page() -> str:
    """The player of the guide's example, c = a * b + tanh(a): a's gradient adds two paths."""
    from autograd_mini import StepPlayer, Value

    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    ab = a * b
    ab.label = "ab"
    t = a.tanh()
    t.label = "t"
    c = ab + t
    c.label = "c"
    return StepPlayer(c).page


@event_priority(100)  # before mkdocs-jupyter's on_files, which picks the notebooks up
def on_files(files: Files, config: Any) -> Files:
    """Add the notebooks and the step player page to the site's files."""
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        files.append(File(f"notebooks/{notebook.name}", src_dir=str(ROOT),
                          dest_dir=config.site_dir,
                          use_directory_urls=config.use_directory_urls))
    files.append(File.generated(config, PLAYER, content=step_player_page()))
    return files
