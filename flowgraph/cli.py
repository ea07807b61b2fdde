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
    accuracy = train_mnist(epochs=args.epochs)
    print(f"test accuracy: {accuracy:.1%}")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point of the `flowgraph` console script and `python -m flowgraph`."""
    parser = argparse.ArgumentParser(prog="flowgraph", description="flowgraph command line")
    commands = parser.add_subparsers(dest="command", required=True)
    demo_parser = commands.add_parser("demo", help="train an MLP on the embedded MNIST data")
    demo_parser.add_argument("--epochs", type=int, default=10, help="passes over the data")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return demo(args)
    parser.error(f"unknown command {args.command!r}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
