"""The TF1 side of the benchmark: the anchor scripts (tools/anchors, TF1 graph mode through
``tf.compat.v1``) run in a subprocess with a Python that can import TensorFlow; the JSON
records they print fill the rows' `tf1` values.

Either a script runs on its own after flowgraph's turn (`run_script`), or, for the workloads
compared time for time, as a `Peer`: the script waits at each of its timed functions while the
driver times that function's batches in turn with flowgraph's and numpy's
(`timing.compare(..., tf1=variant)`), so that all three are measured in the same seconds."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, TextIO

from benchlib.report import Row

ANCHORS = Path(__file__).resolve().parents[1] / "anchors"
SERVE = Path(__file__).resolve().parent / "tf1_serve.py"


class TfUnavailableError(RuntimeError):
    """The given Python cannot run the anchors."""


def check_python(python: str) -> str:
    """TensorFlow's version under `python`; TfUnavailableError (with a hint) if it has none."""
    if not Path(python).exists():
        raise TfUnavailableError(f"--tf-python {python}: no such file. Give the python of a "
                            "virtual environment with tensorflow-cpu installed.")
    proc = subprocess.run(
        [python, "-c", "import tensorflow as tf, threadpoolctl; print(tf.__version__)"],
        capture_output=True, text=True, env=_env(), timeout=300)
    if proc.returncode != 0:
        raise TfUnavailableError(f"--tf-python {python} cannot import tensorflow and threadpoolctl "
                            f"({proc.stderr.strip().splitlines()[-1:]}); install them with "
                            f"`{python} -m pip install tensorflow-cpu threadpoolctl` "
                            "(and `--no-deps tf_keras` for W6).")
    return proc.stdout.strip().splitlines()[-1]


def _env() -> dict:
    env = dict(os.environ, BENCH_NO_SAVE="1", TF_CPP_MIN_LOG_LEVEL="2")
    env.pop("PYTHONPATH", None)  # the venv's own packages only
    return env


def run_script(python: str, script: str, args: tuple, timeout: float = 900) -> List[dict]:
    """The JSON records printed by one anchor script (run in tools/anchors)."""
    proc = subprocess.run([python, script, *args], cwd=ANCHORS, capture_output=True,
                          text=True, env=_env(), timeout=timeout)
    records = [r for r in map(_record, proc.stdout.splitlines()) if r is not None]
    if proc.returncode != 0 and not records:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        raise RuntimeError(f"anchor {script} {' '.join(args)} failed "
                           f"(exit {proc.returncode}):\n{tail}")
    return records


def _record(line: str) -> Optional[dict]:
    """The JSON record an anchor printed on `line`, or None."""
    if not line.startswith("{"):
        return None
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return None


class Peer:
    """An anchor script running in the TF Python whose timed functions the driver times.

    Started before flowgraph's side of a workload is built (TensorFlow's import and the
    script's graph building overlap it); `remote(variant)` waits until the script reaches
    the function of that variant; `finish()` lets the script end and returns its records.
    """

    def __init__(self, python: str, script: str, args: tuple = ("--fw", "tf")):
        self.script, self.args = script, tuple(args)
        self.records: List[dict] = []
        self._stderr = tempfile.TemporaryFile(mode="w+")  # a pipe could fill and block TF
        self._proc = subprocess.Popen([python, str(SERVE), script, *args], cwd=ANCHORS,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      stderr=self._stderr, text=True, bufsize=1, env=_env())
        self._waiting = False  # the script waits at a timed function for commands

    def remote(self, variant: str) -> "Remote":
        """The script's next timed function whose variant starts with `variant` (earlier
        ones are timed by the anchor itself, as when it runs alone)."""
        self._release()
        while True:
            message = self._next_message()
            if message is None:
                raise RuntimeError(f"anchor {self.script} ended before a timed function of "
                                   f"variant {variant!r}{self._stderr_tail()}")
            if "ready" in message:
                if message["ready"].startswith(variant):
                    self._waiting = True
                    return Remote(self)
                self._send("done")

    def finish(self, timeout: float = 900) -> List[dict]:
        """Lets the script run to its end (functions not asked for are timed by the anchor
        itself); its JSON records."""
        self._release()
        while (message := self._next_message()) is not None:
            if "ready" in message:
                self._send("done")
        code = self._proc.wait(timeout=timeout)
        if code != 0 and not self.records:
            raise RuntimeError(f"anchor {self.script} failed (exit {code}){self._stderr_tail()}")
        self._stderr.close()
        return self.records

    def close(self) -> None:
        """Stops the script (after a failure on the driver's side)."""
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        self._stderr.close()

    def ask(self, command: str) -> dict:
        """Sends one command to the waiting script; its answer."""
        self._send(command)
        message = self._next_message()
        if message is None or "ready" in message:
            raise RuntimeError(f"anchor {self.script} did not answer {command!r}"
                               f"{self._stderr_tail()}")
        return message

    def _release(self) -> None:
        """Lets the script go on from the function the driver timed last."""
        if self._waiting:
            self._send("done")
            self._waiting = False

    def _send(self, command: str) -> None:
        stdin: TextIO = self._proc.stdin
        stdin.write(command + "\n")
        stdin.flush()

    def _next_message(self) -> Optional[dict]:
        """The next protocol message (records printed meanwhile are kept); None at the end."""
        for line in self._proc.stdout:
            if line.startswith("@@"):
                message = json.loads(line[2:])
                return None if "exit" in message else message
            record = _record(line)
            if record is not None:
                self.records.append(record)
        return None

    def _stderr_tail(self) -> str:
        self._stderr.seek(0)
        tail = "\n".join(self._stderr.read().strip().splitlines()[-5:])
        return f":\n{tail}" if tail else ""


class Remote:
    """The TF1 function a `Peer`'s script waits at, timed in batches on request (the
    interface of `timing`'s local functions)."""

    def __init__(self, peer: Peer):
        self.peer = peer

    def calls_per_batch(self, seconds: float) -> int:
        return int(self.peer.ask(f"calibrate {seconds!r}")["calls"])

    def batch(self, calls: int) -> float:
        """Seconds per call of one batch of `calls` calls (after one untimed call)."""
        return float(self.peer.ask(f"batch {calls}")["seconds"])


def attach(rows: List[Row], python: str, cache: Optional[Dict[tuple, List[dict]]] = None
           ) -> None:
    """Runs the anchor scripts the rows name (each once) and sets their `tf1` values."""
    cache = {} if cache is None else cache
    for row in rows:
        spec = row.tf
        if spec is None:
            continue
        key = (spec.script, spec.args)
        if key not in cache:
            cache[key] = run_script(python, spec.script, spec.args)
        for record in cache[key]:
            if record.get("workload") == spec.workload and \
                    str(record.get("variant", "")).startswith(spec.variant) and \
                    spec.field in record:
                row.tf1 = float(record[spec.field]) * spec.scale
                row.notes["tf1_record"] = {k: v for k, v in record.items()
                                           if not k.startswith("env_")}
                break
