"""`tf.app.flags` / `tf.flags`: command-line flags as TF1 scripts define and read them.

TF1's flags are absl's behind a wrapper that parses `sys.argv` on the first read of a flag,
and `tf.app.run` parses with undefined flags tolerated (they stay in the `argv` given to
`main`). Accepted spellings: ``--name=value``, ``--name value``, ``-name=value``, and for
booleans ``--name``, ``--noname``, ``--name=false``.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, Optional, Sequence

__all__ = ["FLAGS", "DEFINE_string", "DEFINE_integer", "DEFINE_float", "DEFINE_boolean",
           "DEFINE_bool", "DEFINE_enum", "DEFINE_list", "DEFINE_multi_string",
           "DuplicateFlagError", "IllegalFlagValueError", "UnrecognizedFlagError",
           "mark_flag_as_required"]


class DuplicateFlagError(Exception):
    """A flag was defined twice."""


class IllegalFlagValueError(ValueError):
    """A flag's value on the command line does not parse."""


class UnrecognizedFlagError(AttributeError):
    """A flag was read that was never defined."""


_TRUE = {"true", "t", "1", "yes", "y"}
_FALSE = {"false", "f", "0", "no", "n"}


def _parse_bool(text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise IllegalFlagValueError(f"{text!r} is not a boolean (true/false)")


class _Flag:
    __slots__ = ("name", "default", "help", "parse", "is_bool", "multi", "value")

    def __init__(self, name: str, default: Any, help: str, parse: Callable[[str], Any],
                 is_bool: bool = False, multi: bool = False) -> None:
        self.name, self.default, self.help = name, default, help
        self.parse, self.is_bool, self.multi = parse, is_bool, multi
        self.value = default


class FlagValues:
    """The set of defined flags; read values as attributes (``FLAGS.batch_size``), which
    parses `sys.argv` first if that has not happened yet, as TF1's wrapper does."""

    def __init__(self) -> None:
        object.__setattr__(self, "_flags", {})
        object.__setattr__(self, "_parsed", False)
        object.__setattr__(self, "_required", set())

    # -- definition
    def _define(self, flag: _Flag) -> None:
        if flag.name in self._flags:
            raise DuplicateFlagError(f"The flag {flag.name!r} is defined twice.")
        self._flags[flag.name] = flag

    def _reset(self) -> None:
        """Forgets every flag (a new script run starts with none)."""
        self._flags.clear()
        self._required.clear()
        object.__setattr__(self, "_parsed", False)

    # -- parsing
    def __call__(self, argv: Sequence[str], known_only: bool = True) -> list:
        """Parses `argv` (argv[0] is the program); returns argv[0] and the arguments that are
        not flags defined here."""
        argv = list(argv)
        rest = argv[:1]
        args = iter(argv[1:])
        for arg in args:
            if arg == "--":
                rest.extend(args)
                break
            if not arg.startswith("-") or arg == "-":
                rest.append(arg)
                continue
            name, has_value, value = arg.lstrip("-").partition("=")
            flag = self._flags.get(name)
            if flag is None and name.startswith("no") and not has_value:
                negated = self._flags.get(name[2:])
                if negated is not None and negated.is_bool:
                    negated.value = False
                    continue
            if flag is None:
                if not known_only:
                    raise UnrecognizedFlagError(f"Unknown command line flag {name!r}")
                rest.append(arg)
                continue
            if flag.is_bool:
                flag.value = _parse_bool(value) if has_value else True
                continue
            if not has_value:
                value = next(args, None)
                if value is None:
                    raise IllegalFlagValueError(f"Flag --{name} needs a value")
            try:
                parsed = flag.parse(value)
            except (TypeError, ValueError) as e:
                raise IllegalFlagValueError(f"Flag --{name}: {value!r} is not valid ({e})") \
                    from None
            flag.value = (flag.value or []) + [parsed] if flag.multi else parsed
        missing = [n for n in self._required if self._flags[n].value is None]
        if missing:
            raise IllegalFlagValueError(f"Flag --{missing[0]} must be specified.")
        object.__setattr__(self, "_parsed", True)
        return rest

    def is_parsed(self) -> bool:
        return self._parsed

    def mark_as_parsed(self) -> None:
        object.__setattr__(self, "_parsed", True)

    # -- values
    def __getattr__(self, name: str) -> Any:
        flags = self.__dict__["_flags"]
        if name not in flags:
            raise UnrecognizedFlagError(f"Flag --{name} is not defined (define it with "
                                        f"tf.app.flags.DEFINE_...('{name}', default, help))")
        if not self._parsed:
            self(sys.argv)
        return flags[name].value

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in self._flags:
            raise UnrecognizedFlagError(f"Flag --{name} is not defined")
        self._flags[name].value = value

    def __contains__(self, name: str) -> bool:
        return name in self._flags

    def __iter__(self):
        return iter(list(self._flags))

    def flag_values_dict(self) -> dict:
        if not self._parsed:
            self(sys.argv)
        return {name: flag.value for name, flag in self._flags.items()}

    def get_flag_value(self, name: str, default: Any) -> Any:
        return self._flags[name].value if name in self._flags else default


FLAGS = FlagValues()


def _define(name: str, default: Any, help: str, parse: Callable[[str], Any],
            is_bool: bool = False, multi: bool = False) -> None:
    FLAGS._define(_Flag(name, default, help, parse, is_bool, multi))


def DEFINE_string(name: str, default: Optional[str], help: str = "",  # noqa: N802
                  flag_values: Any = None, **kwargs: Any) -> None:
    """Defines a string flag."""
    _define(name, default, help, str)


def DEFINE_integer(name: str, default: Optional[int], help: str = "",  # noqa: N802
                   lower_bound: Optional[int] = None, upper_bound: Optional[int] = None,
                   flag_values: Any = None, **kwargs: Any) -> None:
    """Defines an integer flag (with optional bounds)."""
    def parse(text: str) -> int:
        value = int(text)
        if (lower_bound is not None and value < lower_bound) or \
                (upper_bound is not None and value > upper_bound):
            raise ValueError(f"outside [{lower_bound}, {upper_bound}]")
        return value
    _define(name, default, help, parse)


def DEFINE_float(name: str, default: Optional[float], help: str = "",  # noqa: N802
                 lower_bound: Optional[float] = None, upper_bound: Optional[float] = None,
                 flag_values: Any = None, **kwargs: Any) -> None:
    """Defines a float flag (with optional bounds)."""
    def parse(text: str) -> float:
        value = float(text)
        if (lower_bound is not None and value < lower_bound) or \
                (upper_bound is not None and value > upper_bound):
            raise ValueError(f"outside [{lower_bound}, {upper_bound}]")
        return value
    _define(name, default, help, parse)


def DEFINE_boolean(name: str, default: Optional[bool], help: str = "",  # noqa: N802
                   flag_values: Any = None, **kwargs: Any) -> None:
    """Defines a boolean flag (``--name``, ``--noname``, ``--name=false``)."""
    _define(name, default, help, _parse_bool, is_bool=True)


DEFINE_bool = DEFINE_boolean


def DEFINE_enum(name: str, default: Optional[str], enum_values: Sequence[str],  # noqa: N802
                help: str = "", flag_values: Any = None, **kwargs: Any) -> None:
    """Defines a string flag restricted to `enum_values`."""
    def parse(text: str) -> str:
        if text not in enum_values:
            raise ValueError(f"should be one of {list(enum_values)}")
        return text
    _define(name, default, help, parse)


def DEFINE_list(name: str, default: Any, help: str = "",  # noqa: N802
                flag_values: Any = None, **kwargs: Any) -> None:
    """Defines a comma-separated list flag."""
    if isinstance(default, str):
        default = [v for v in default.split(",") if v]
    _define(name, default, help, lambda text: [v for v in text.split(",") if v])


def DEFINE_multi_string(name: str, default: Any, help: str = "",  # noqa: N802
                        flag_values: Any = None, **kwargs: Any) -> None:
    """Defines a string flag that may be given several times (a list)."""
    _define(name, default, help, str, multi=True)


def mark_flag_as_required(name: str, flag_values: Any = None) -> None:
    """Parsing fails unless the flag `name` gets a value."""
    FLAGS._required.add(name)
