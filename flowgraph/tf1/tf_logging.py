"""`tf.logging`: TF1's logging functions over Python's `logging` (logger "tensorflow",
TF1's default level WARN)."""

from __future__ import annotations

import logging as _logging
import sys
from typing import Any

__all__ = ["DEBUG", "INFO", "WARN", "ERROR", "FATAL", "set_verbosity", "get_verbosity",
           "debug", "info", "warn", "warning", "error", "fatal", "log", "log_if",
           "log_every_n", "log_first_n", "vlog", "flush"]

DEBUG, INFO, WARN, ERROR, FATAL = (_logging.DEBUG, _logging.INFO, _logging.WARN,
                                   _logging.ERROR, _logging.FATAL)
_counts: dict = {}


def _logger() -> _logging.Logger:
    logger = _logging.getLogger("tensorflow")
    if not logger.handlers:
        handler = _logging.StreamHandler(sys.stderr)
        handler.setFormatter(_logging.Formatter("%(levelname)s:tensorflow:%(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
        if logger.level == _logging.NOTSET:
            logger.setLevel(WARN)
    return logger


def set_verbosity(v: int) -> None:
    """Shows messages of level `v` and above."""
    _logger().setLevel(v)


def get_verbosity() -> int:
    return _logger().getEffectiveLevel()


def log(level: int, msg: Any, *args: Any, **kwargs: Any) -> None:
    _logger().log(level, msg, *args, **kwargs)


def debug(msg: Any, *args: Any, **kwargs: Any) -> None:
    log(DEBUG, msg, *args, **kwargs)


def info(msg: Any, *args: Any, **kwargs: Any) -> None:
    log(INFO, msg, *args, **kwargs)


def warn(msg: Any, *args: Any, **kwargs: Any) -> None:
    log(WARN, msg, *args, **kwargs)


warning = warn


def error(msg: Any, *args: Any, **kwargs: Any) -> None:
    log(ERROR, msg, *args, **kwargs)


def fatal(msg: Any, *args: Any, **kwargs: Any) -> None:
    log(FATAL, msg, *args, **kwargs)


def vlog(level: int, msg: Any, *args: Any, **kwargs: Any) -> None:
    log(level, msg, *args, **kwargs)


def log_if(level: int, msg: Any, condition: bool, *args: Any) -> None:
    if condition:
        log(level, msg, *args)


def _site() -> tuple:
    frame = sys._getframe(2)
    return frame.f_code.co_filename, frame.f_lineno


def log_every_n(level: int, msg: Any, n: int, *args: Any) -> None:
    """Logs on the 1st, (n+1)th, (2n+1)th... call from the same line."""
    count = _counts[_site()] = _counts.get(_site(), 0) + 1
    log_if(level, msg, (count - 1) % max(n, 1) == 0, *args)


def log_first_n(level: int, msg: Any, n: int, *args: Any) -> None:
    """Logs only the first `n` calls from the same line."""
    count = _counts[_site()] = _counts.get(_site(), 0) + 1
    log_if(level, msg, count <= n, *args)


def flush() -> None:
    for handler in _logger().handlers:
        handler.flush()
