"""Framing a signal into overlapping windows and adding them back (TF1's tf.signal.frame and
overlap_and_add)."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

import flowgraph as fg
from flowgraph.ops.registry import constant_value


def _static_int(value: Any, what: str) -> int:
    if isinstance(value, fg.Tensor):
        static = constant_value(value)
        if static is None:
            raise ValueError(f"{what} must be known when the graph is built (a Python int or "
                             f"a constant), got the computed tensor {value.name}.")
        value = static
    value = np.asarray(value)
    if value.ndim != 0 or value.dtype.kind not in "iu":
        raise ValueError(f"{what} must be an integer scalar, got {value!r}.")
    return int(value)


def frame(signal: Any, frame_length: Any, frame_step: Any, pad_end: bool = False,
          pad_value: Any = 0, axis: int = -1, name: Optional[str] = None) -> fg.Tensor:
    """Slices `signal` along `axis` into frames of `frame_length` samples, `frame_step`
    apart: that axis becomes [num_frames, frame_length].

    num_frames is 1 + (N - frame_length) // frame_step (at least 0), or with `pad_end`
    ceil(N / frame_step), the end being padded with `pad_value`.
    """
    with fg.name_scope(name, "frame", [signal, frame_length, frame_step, pad_value]):
        signal = fg.convert_to_tensor(signal, name="signal")
        length = _static_int(frame_length, "frame_length")
        step = _static_int(frame_step, "frame_step")
        if length < 0 or step <= 0:
            raise ValueError(f"frame_length must be non-negative and frame_step positive, got "
                             f"{length} and {step}.")
        rank = signal.shape.ndims
        if rank is None:
            raise ValueError("frame needs a signal of known rank.")
        if rank == 0:
            raise ValueError("Shape must be at least rank 1 but is rank 0 for frame's signal.")
        axis = axis + rank if axis < 0 else axis
        if not 0 <= axis < rank:
            raise ValueError(f"axis {axis} is out of range for a signal of rank {rank}.")
        samples = signal.shape[axis].value
        if samples is None:
            samples = fg.shape(signal)[axis]
        if pad_end:
            num_frames = -(-samples // step) if isinstance(samples, int) else \
                fg.floordiv(samples + step - 1, step)
            needed = (num_frames - 1) * step + length - samples
            extra = max(0, needed) if isinstance(needed, int) else fg.maximum(needed, 0)
            paddings = [[0, 0]] * rank
            paddings[axis] = [0, extra]
            if not isinstance(extra, int):
                paddings = fg.stack([fg.stack(p) for p in paddings])
            pad_value = fg.convert_to_tensor(pad_value, dtype=signal.dtype, name="pad_value")
            signal = fg.pad(signal, paddings, constant_values=pad_value)
        else:
            num_frames = max(0, 1 + (samples - length) // step) if isinstance(samples, int) \
                else fg.maximum(1 + fg.floordiv(samples - length, step), 0)
        starts = fg.range(num_frames) * step
        indices = fg.expand_dims(starts, 1) + fg.expand_dims(fg.range(length), 0)
        return fg.gather(signal, indices, axis=axis)


def overlap_and_add(signal: Any, frame_step: Any, name: Optional[str] = None) -> fg.Tensor:
    """The inverse of framing: frames [..., frames, frame_length], frame_step apart, summed
    into [..., (frames - 1) * frame_step + frame_length]."""
    with fg.name_scope(name, "overlap_and_add", [signal, frame_step]):
        signal = fg.convert_to_tensor(signal, name="signal")
        step = _static_int(frame_step, "frame_step")
        if step <= 0:
            raise ValueError(f"frame_step must be positive, got {step}.")
        rank = signal.shape.ndims
        if rank is None or rank < 2:
            raise ValueError(f"overlap_and_add needs a signal of rank at least 2, got shape "
                             f"{signal.shape}.")
        frames, length = signal.shape[-2].value, signal.shape[-1].value
        if frames is None or length is None:
            raise ValueError("overlap_and_add needs the number of frames and frame_length "
                             f"known when the graph is built, got shape {signal.shape}.")
        output_length = max(0, (frames - 1) * step + length) if frames else 0
        positions = (np.arange(frames)[:, None] * step + np.arange(length)[None, :])
        # Frames first, so that samples at one output position are summed as segments.
        perm = [rank - 2, rank - 1] + list(range(rank - 2))
        moved = fg.reshape(fg.transpose(signal, perm),
                           fg.concat([[frames * length], fg.shape(signal)[:-2]], 0))
        summed = fg.unsorted_segment_sum(moved, positions.reshape(-1).astype(np.int32),
                                         output_length)
        back = list(range(1, rank - 1)) + [0]
        return fg.transpose(summed, back)
