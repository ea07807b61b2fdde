"""Renders the pictures under docs/images/ (the demo MLP and the example CNN).

Run: python tools/render_docs_images.py   (needs Graphviz's `dot`)
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import flowgraph as fg  # noqa: E402
from flowgraph.demo import build_mlp  # noqa: E402

IMAGES = ROOT / "docs" / "images"


def _cnn_builder():
    spec = importlib.util.spec_from_file_location("mnist_cnn", ROOT / "examples" / "mnist_cnn.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_cnn


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    mlp = fg.Graph()
    with mlp.as_default():
        model = build_mlp()
    fg.viz.render(mlp, IMAGES / "mnist_mlp_model.png", depth=1, show_gradients=False)
    fg.viz.render(mlp, IMAGES / "mnist_mlp_training_overview.png", depth=0)
    fg.viz.render(mlp, IMAGES / "mnist_mlp_training.png", depth=1)
    fg.viz.render(mlp, IMAGES / "mnist_mlp_training.svg", depth=1)
    fg.viz.render(model["logits"], IMAGES / "mnist_mlp_logits.png", graph=mlp)
    cnn = fg.Graph()
    with cnn.as_default():
        _cnn_builder()()
    fg.viz.render(cnn, IMAGES / "mnist_cnn_model.png", depth=1, show_gradients=False)
    fg.viz.render(cnn, IMAGES / "mnist_cnn_training.png", depth=1)
    print(f"wrote the pictures to {IMAGES}")


if __name__ == "__main__":
    main()
