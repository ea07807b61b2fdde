"""The `flowgraph` command: `flowgraph demo` runs the main job on the embedded MNIST data."""

from __future__ import annotations

import argparse
import sys
from typing import Optional, Sequence


def demo(args: argparse.Namespace) -> int:
    """Trains an MLP on the embedded MNIST digits and reports its test accuracy."""
    import flowgraph as fg
    from flowgraph.demo import train_mnist

    print(f"flowgraph {fg.__version__} demo: a 784-256-128-10 MLP on the embedded MNIST subset "
          "(4,000 training and 1,000 test digits)")
    accuracy = train_mnist(epochs=args.epochs, out_dir=args.out_dir)
    print(f"test accuracy: {accuracy:.1%}")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the `flowgraph` console script and `python -m flowgraph`."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["tf1"]:  # the script's own arguments must reach it untouched
        from flowgraph.tf1 import main as tf1_main
        return tf1_main(argv[1:])
    parser = argparse.ArgumentParser(prog="flowgraph", description="flowgraph command line")
    commands = parser.add_subparsers(dest="command", required=True)
    demo_parser = commands.add_parser("demo", help="train an MLP on the embedded MNIST data")
    demo_parser.add_argument("--epochs", type=int, default=10, help="passes over the data")
    demo_parser.add_argument("--out-dir", dest="out_dir", default="flowgraph_demo",
                             help="where the logs and pictures go (default: flowgraph_demo)")
    from flowgraph.saved_model.cli import add_inspect_arguments, add_run_arguments
    add_run_arguments(commands.add_parser(
        "run", help="run a saved model's signature on .npy inputs"))
    add_inspect_arguments(commands.add_parser(
        "inspect", help="summarize a graph file, checkpoint or saved model"))
    commands.add_parser("tf1", help="run a TensorFlow 1.x script on flowgraph: "
                        "flowgraph tf1 SCRIPT.py [ARGS...]")
    viz_parser = commands.add_parser("viz", help="draw a saved graph as an image")
    viz_parser.add_argument("graph_file", help="a graph, meta graph or saved model")
    viz_parser.add_argument("-o", "--output", required=True,
                            help="the picture to write (.png, .svg, .pdf or .dot)")
    viz_parser.add_argument("--depth", type=int, default=None,
                            help="collapse name scopes deeper than this")
    viz_parser.add_argument("--fetch", action="append", default=[], metavar="NAME",
                            help="draw only what running these tensors or ops needs")
    viz_parser.add_argument("--no-gradients", dest="no_gradients", action="store_true",
                            help="hide gradient and optimizer nodes")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return demo(args)
    if args.command == "run":
        from flowgraph.saved_model.cli import run_command
        return run_command(args)
    if args.command == "inspect":
        from flowgraph.saved_model.cli import inspect_command
        return inspect_command(args)
    from flowgraph.viz.cli import viz_command
    return viz_command(args)


if __name__ == "__main__":
    sys.exit(main())
