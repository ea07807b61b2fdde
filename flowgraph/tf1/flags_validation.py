"""Validators, defaults and key flags of `tf.app.flags` (absl's ``flags`` functions that
act on defined flags): `register_validator`, `mark_flag_as_required`, mutual exclusion,
`set_default`, `declare_key_flag`, `flag_dict_to_args`. Re-exported by `flowgraph.tf1.flags`.
"""

from __future__ import annotations

import types
import warnings
from typing import Any, Callable, Dict, Iterator, Optional, Sequence

from flowgraph.tf1.flags import (
    FLAGS,
    Error,
    FlagHolder,
    FlagValues,
    ValidationError,
    _Validator,
    _values,
)

__all__ = ["mark_flag_as_required", "mark_flags_as_required", "mark_flags_as_mutual_exclusive",
           "mark_bool_flags_as_mutual_exclusive", "register_validator", "validator",
           "register_multi_flags_validator", "multi_flags_validator", "set_default",
           "declare_key_flag", "adopt_module_key_flags", "flag_dict_to_args"]


# -- validators
def register_validator(flag_name: str, checker: Callable[[Any], Any],
                       message: str = "Flag validation failed",
                       flag_values: Optional[FlagValues] = None) -> None:
    """`checker(value)` must return True (or raise `ValidationError`) whenever the flags are
    parsed and whenever `flag_name` is assigned."""
    fv = _values(flag_values)
    fv._add_validator(_Validator([_name(flag_name)], checker, message, multi=False))


def validator(flag_name: str, message: str = "Flag validation failed",
              flag_values: Optional[FlagValues] = None) -> Callable:
    """Decorator form of `register_validator`; returns the checker unchanged."""
    def decorate(checker: Callable[[Any], Any]) -> Callable[[Any], Any]:
        register_validator(flag_name, checker, message, flag_values)
        return checker
    return decorate


def register_multi_flags_validator(flag_names: Sequence[str],
                                   multi_flags_checker: Callable[[dict], Any],
                                   message: str = "Flags validation failed",
                                   flag_values: Optional[FlagValues] = None) -> None:
    """`multi_flags_checker({name: value})` must return True (or raise `ValidationError`)."""
    fv = _values(flag_values)
    fv._add_validator(_Validator(_names(flag_names), multi_flags_checker, message, multi=True))


def multi_flags_validator(flag_names: Sequence[str], message: str = "Flag validation failed",
                          flag_values: Optional[FlagValues] = None) -> Callable:
    """Decorator form of `register_multi_flags_validator`; returns the checker unchanged."""
    def decorate(checker: Callable[[dict], Any]) -> Callable[[dict], Any]:
        register_multi_flags_validator(flag_names, checker, message, flag_values)
        return checker
    return decorate


def _name(flag: Any) -> str:
    return flag.name if isinstance(flag, FlagHolder) else flag


def _names(flag_names: Any) -> list:
    if isinstance(flag_names, (str, FlagHolder)):
        raise TypeError(f"flag_names should be a list of flag names, not the single "
                        f"{_name(flag_names)!r}; wrap it in a list")
    return [_name(n) for n in flag_names]


def mark_flag_as_required(flag_name: str, flag_values: Optional[FlagValues] = None) -> None:
    """Parsing fails unless the flag `flag_name` gets a value other than None."""
    fv, flag_name = _values(flag_values), _name(flag_name)
    if fv[flag_name].default is not None:
        warnings.warn(f"Flag --{flag_name} has a non-None default value; therefore, "
                      f"mark_flag_as_required will pass even if flag is not specified in the "
                      f"command line!", stacklevel=2)
    register_validator(flag_name, lambda value: value is not None,
                       f"Flag --{flag_name} must have a value other than None.", fv)


def mark_flags_as_required(flag_names: Sequence[str],
                           flag_values: Optional[FlagValues] = None) -> None:
    """`mark_flag_as_required` for each of `flag_names`."""
    for name in _names(flag_names):
        mark_flag_as_required(name, flag_values)


def mark_flags_as_mutual_exclusive(flag_names: Sequence[str], required: bool = False,
                                   flag_values: Optional[FlagValues] = None) -> None:
    """At most one (exactly one if `required`) of `flag_names` may be other than None."""
    fv, names = _values(flag_values), _names(flag_names)
    for name in names:
        if fv[name].default is not None:
            warnings.warn(f"Flag --{name} has a non-None default value. That does not make "
                          f"sense with mark_flags_as_mutual_exclusive, which checks whether "
                          f"the listed flags have a value other than None.", stacklevel=2)

    def check(values: dict) -> bool:
        count = sum(1 for v in values.values() if v is not None)
        if count == 1 or (not required and count == 0):
            return True
        raise ValidationError(f"{'Exactly' if required else 'At most'} one of "
                              f"({', '.join(names)}) must have a value other than None.")
    register_multi_flags_validator(names, check, flag_values=fv)


def mark_bool_flags_as_mutual_exclusive(flag_names: Sequence[str], required: bool = False,
                                        flag_values: Optional[FlagValues] = None) -> None:
    """At most one (exactly one if `required`) of the boolean `flag_names` may be True."""
    fv, names = _values(flag_values), _names(flag_names)
    for name in names:
        if not fv[name].is_bool:
            raise ValidationError(f"Flag --{name} is not Boolean, which is required for flags "
                                  f"used in mark_bool_flags_as_mutual_exclusive.")

    def check(values: dict) -> bool:
        count = sum(bool(v) for v in values.values())
        if count == 1 or (not required and count == 0):
            return True
        raise ValidationError(f"{'Exactly' if required else 'At most'} one of "
                              f"({', '.join(names)}) must be True.")
    register_multi_flags_validator(names, check, flag_values=fv)


def set_default(flag_holder: Any, value: Any) -> None:
    """Changes the default of the flag `flag_holder` (what ``DEFINE_*`` returned, or its
    name for the global FLAGS)."""
    if isinstance(flag_holder, FlagHolder):
        flag_holder._flagvalues.set_default(flag_holder.name, value)
    elif isinstance(flag_holder, str):
        FLAGS.set_default(flag_holder, value)
    else:
        raise TypeError(f"set_default takes what DEFINE_* returned (or a flag name), not "
                        f"{flag_holder!r}")


def declare_key_flag(flag_name: str, flag_values: Optional[FlagValues] = None) -> None:
    """Declares `flag_name` a key flag of the calling module (absl uses this only for
    ``--help`` output, which lists no per-module flags here); the flag must exist."""
    fv, flag_name = _values(flag_values), _name(flag_name)
    if flag_name not in fv:
        raise ValueError(f"Flag --{flag_name} is undefined. To set a flag as a key flag first "
                         f"define it in Python.")
    fv._key_flags.add(flag_name)


def adopt_module_key_flags(module: types.ModuleType,
                           flag_values: Optional[FlagValues] = None) -> None:
    """Declares the key flags of `module` key flags of the calling module (help output only)."""
    if not isinstance(module, types.ModuleType):
        raise Error(f"Expected a module object, not {module!r}.")
    _values(flag_values)


def flag_dict_to_args(flag_map: Dict[str, Any],
                      multi_flags: Optional[set] = None) -> Iterator[str]:
    """Yields the command-line arguments that give each flag in `flag_map` its value:
    None -> ``--x``, booleans -> ``--x`` / ``--nox``, lists -> ``--x=a,b`` (or one ``--x=``
    per item for names in `multi_flags`)."""
    for key, value in flag_map.items():
        if value is None:
            yield f"--{key}"
        elif isinstance(value, bool):
            yield f"--{key}" if value else f"--no{key}"
        elif isinstance(value, (bytes, str)):
            yield f"--{key}={value}"
        else:
            try:
                if multi_flags and key in multi_flags:
                    for item in value:
                        yield f"--{key}={item}"
                else:
                    yield f"--{key}={','.join(str(item) for item in value)}"
            except TypeError:
                yield f"--{key}={value}"
