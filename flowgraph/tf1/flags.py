"""`tf.app.flags` / `tf.flags`: command-line flags as TF1 scripts define and read them.

TF1's flags are absl's behind a wrapper that parses `sys.argv` on the first read of a flag,
and `tf.app.run` parses with undefined flags tolerated (they stay in the `argv` given to
`main`). Accepted spellings: ``--name=value``, ``--name value``, ``-name=value``, and for
booleans ``--name``, ``--noname``, ``--name=false``. Multi flags (``DEFINE_multi_*``) take
every repetition (``--x=1 --x=2`` gives ``[1, 2]``; the first one replaces the default).

Validators (`register_validator`, `mark_flag_as_required`, `mark_flags_as_mutual_exclusive`,
...) run, in the order they were registered, after every parse and whenever a flag is
assigned or its default changed; a failing one raises `IllegalFlagValueError` with absl's
message (``flag --x=None: Flag --x must have a value other than None.``).
"""

from __future__ import annotations

import enum
import itertools
import sys
from typing import Any, Callable, Dict, Iterable, Iterator, Optional, Sequence

__all__ = ["FLAGS", "FlagValues", "FlagHolder", "Flag",
           "DEFINE_string", "DEFINE_integer", "DEFINE_float", "DEFINE_boolean", "DEFINE_bool",
           "DEFINE_enum", "DEFINE_enum_class", "DEFINE_list", "DEFINE_spaceseplist",
           "DEFINE_multi_string", "DEFINE_multi_integer", "DEFINE_multi_float",
           "DEFINE_multi_enum", "DEFINE_alias",
           "Error", "DuplicateFlagError", "IllegalFlagValueError", "UnrecognizedFlagError",
           "UnparsedFlagAccessError", "ValidationError",
           "mark_flag_as_required", "mark_flags_as_required", "mark_flags_as_mutual_exclusive",
           "mark_bool_flags_as_mutual_exclusive", "register_validator", "validator",
           "register_multi_flags_validator", "multi_flags_validator", "set_default",
           "declare_key_flag", "adopt_module_key_flags", "flag_dict_to_args"]


class Error(Exception):
    """The base class of every flags error (absl's ``flags.Error``)."""


class DuplicateFlagError(Error):
    """A flag was defined twice."""


class IllegalFlagValueError(Error, ValueError):
    """A flag's value does not parse, or a validator rejected it."""


class UnrecognizedFlagError(Error, AttributeError):
    """A flag was given, read or set that was never defined."""


class UnparsedFlagAccessError(Error, AttributeError):
    """A flag of a `FlagValues` was read before that `FlagValues` parsed a command line."""


class ValidationError(Error):
    """Raised by a validator's checker to reject a value (with the message to show)."""


_TRUE = {"true", "t", "1", "yes", "y"}
_FALSE = {"false", "f", "0", "no", "n"}


def _parse_bool(text: Any) -> bool:
    if isinstance(text, bool):
        return text
    lowered = str(text).lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise IllegalFlagValueError(f"{text!r} is not a boolean (true/false)")


class _Flag:
    """One defined flag: its parser, default, current value and validators."""

    def __init__(self, name: str, default: Any, help: str, parse: Callable[[str], Any],
                 is_bool: bool = False, multi: bool = False) -> None:
        self.name, self.help = name, help
        self.parse, self.is_bool, self.multi = parse, is_bool, multi
        self.validators: list = []
        self.present = 0
        self.using_default_value = True
        self.default = self._from_default(default)
        self.value = self.default

    @property
    def boolean(self) -> bool:
        return self.is_bool

    def _from_default(self, default: Any) -> Any:
        """A default given as text is parsed like the command line (absl does the same)."""
        if default is None:
            return None
        try:
            if self.multi:
                items = default if isinstance(default, (list, tuple)) else [default]
                return [self.parse(v) if isinstance(v, str) else v for v in items]
            return self.parse(default) if isinstance(default, str) else default
        except (TypeError, ValueError) as e:
            raise IllegalFlagValueError(f"Flag --{self.name}: default {default!r} is not "
                                        f"valid ({e})") from None

    def _set_default(self, default: Any) -> None:
        self.default = self._from_default(default)
        if self.using_default_value:
            self.value = self.default

    def _unparse(self) -> None:
        self.value, self.present, self.using_default_value = self.default, 0, True


Flag = _Flag


class _AliasFlag(_Flag):
    """``DEFINE_alias``: a second name whose value is the original flag's."""

    def __init__(self, name: str, original: _Flag) -> None:
        object.__setattr__(self, "original", original)
        self.name, self.help = name, f"Alias for --{original.name}."
        self.validators = []

    def __getattr__(self, attr: str) -> Any:
        return getattr(self.__dict__["original"], attr)

    def __setattr__(self, attr: str, value: Any) -> None:
        if attr in ("name", "help", "validators"):
            object.__setattr__(self, attr, value)
        else:
            setattr(self.original, attr, value)


_insertion = itertools.count()


class _Validator:
    def __init__(self, names: Sequence[str], checker: Callable[[Any], Any], message: str,
                 multi: bool) -> None:
        self.names, self.checker, self.message, self.multi = list(names), checker, message, multi
        self.index = next(_insertion)

    def verify(self, fv: "FlagValues") -> None:
        flags = fv._flags()
        values = {n: flags[n].value for n in self.names}
        try:
            ok = self.checker(values if self.multi else values[self.names[0]])
            if not ok:
                raise ValidationError(self.message)
        except ValidationError as e:
            if self.multi:
                shown = "flags " + ", ".join(f"{n}={v}" for n, v in values.items())
            else:
                shown = f"flag --{self.names[0]}={values[self.names[0]]}"
            raise IllegalFlagValueError(f"{shown}: {e}") from None


class FlagValues:
    """The set of defined flags; read values as attributes (``FLAGS.batch_size``). The
    global `FLAGS` parses `sys.argv` on the first read, as TF1's wrapper does; a `FlagValues`
    you make yourself raises `UnparsedFlagAccessError` until you call it with an argv."""

    def __init__(self, _parse_argv_on_read: bool = False) -> None:
        object.__setattr__(self, "__flags", {})
        object.__setattr__(self, "_parsed", False)
        object.__setattr__(self, "_key_flags", set())
        object.__setattr__(self, "_autoparse", _parse_argv_on_read)

    def _flags(self) -> Dict[str, _Flag]:
        """Name -> flag object (absl's ``FLAGS._flags()``)."""
        return self.__dict__["__flags"]

    # -- definition
    def _define(self, flag: _Flag) -> None:
        if flag.name in self._flags():
            raise DuplicateFlagError(f"The flag {flag.name!r} is defined twice.")
        if flag.name in type(self).__dict__:
            raise Error(f"Flag name {flag.name!r} conflicts with a FlagValues method; "
                        f"rename the flag.")
        self._flags()[flag.name] = flag

    def _reset(self) -> None:
        """Forgets every flag (a new script run starts with none)."""
        self._flags().clear()
        self._key_flags.clear()
        object.__setattr__(self, "_parsed", False)

    def _flag(self, name: str) -> _Flag:
        flag = self._flags().get(name)
        if flag is None:
            raise UnrecognizedFlagError(f"Flag --{name} is not defined (define it with "
                                        f"tf.app.flags.DEFINE_...('{name}', default, help))")
        return flag

    def __getitem__(self, name: str) -> _Flag:
        """The flag object ``name`` (``FLAGS['x'].value``, ``.default``, ``.present``)."""
        return self._flag(name)

    def __delattr__(self, name: str) -> None:
        """Removes the flag ``name`` (as absl, so a notebook can define it again)."""
        del self._flags()[self._flag(name).name]

    # -- parsing
    def __call__(self, argv: Sequence[str], known_only: bool = True) -> list:
        """Parses `argv` (argv[0] is the program); returns argv[0] and the arguments that are
        not flags defined here. With ``known_only=False`` an undefined flag is an error."""
        if isinstance(argv, str) or not isinstance(argv, (list, tuple)):
            raise TypeError(f"argv should be a list of strings like sys.argv, not {argv!r}")
        argv = list(argv)
        if not argv:
            raise ValueError("argv cannot be empty: argv[0] is the program name")
        flags = self._flags()
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
            flag = flags.get(name)
            if flag is None and name.startswith("no") and not has_value:
                negated = flags.get(name[2:])
                if negated is not None and negated.is_bool:
                    negated.value, negated.using_default_value = False, False
                    negated.present += 1
                    continue
            if flag is None:
                if not known_only:
                    raise UnrecognizedFlagError(f"Unknown command line flag {name!r}")
                rest.append(arg)
                continue
            if flag.is_bool:
                parsed = _parse_bool(value) if has_value else True
            else:
                if not has_value:
                    value = next(args, None)
                    if value is None:
                        raise IllegalFlagValueError(f"Flag --{name} needs a value")
                try:
                    parsed = flag.parse(value)
                except (TypeError, ValueError) as e:
                    raise IllegalFlagValueError(f"Flag --{name}: {value!r} is not valid "
                                                f"({e})") from None
            if flag.multi:
                parsed = (flag.value if flag.present else []) + [parsed]
            flag.value, flag.using_default_value = parsed, False
            flag.present += 1
        object.__setattr__(self, "_parsed", True)
        self.validate_all_flags()
        return rest

    def is_parsed(self) -> bool:
        """Whether a command line has been parsed."""
        return self._parsed

    def mark_as_parsed(self) -> None:
        """Treats the flags as parsed (their values are the defaults or what was set)."""
        object.__setattr__(self, "_parsed", True)

    def unparse_flags(self) -> None:
        """Resets every flag to its default and forgets that a command line was parsed."""
        for flag in self._flags().values():
            if not isinstance(flag, _AliasFlag):
                flag._unparse()
        object.__setattr__(self, "_parsed", False)

    # -- validation
    def _validators(self, flags: Iterable[_Flag]) -> list:
        found = {id(v): v for f in flags for v in f.validators}
        return sorted(found.values(), key=lambda v: v.index)

    def _add_validator(self, validator: _Validator) -> None:
        for name in validator.names:
            self._flag(name).validators.append(validator)

    def validate_all_flags(self) -> None:
        """Runs every validator; raises `IllegalFlagValueError` at the first that fails."""
        for v in self._validators(self._flags().values()):
            v.verify(self)

    # -- values
    def __getattr__(self, name: str) -> Any:
        flag = self._flag(name)
        if not self._parsed:
            if not self._autoparse:
                raise UnparsedFlagAccessError(
                    f"Trying to access flag --{name} before flags were parsed: call "
                    f"flag_values(argv) first.")
            self(sys.argv)
        return flag.value

    def __setattr__(self, name: str, value: Any) -> None:
        flag = self._flags().get(name)
        if flag is None:
            raise UnrecognizedFlagError(f"Flag --{name} is not defined (unknown command "
                                        f"line flag {name!r})")
        previous = flag.value
        flag.value = value
        try:
            self._run_validators_of(flag)
        except IllegalFlagValueError:
            flag.value = previous  # as absl: a rejected assignment leaves the old value
            raise
        flag.using_default_value = False

    def _run_validators_of(self, flag: _Flag) -> None:
        for v in self._validators([flag, *(self._flags()[n] for n in self._aliases(flag))]):
            v.verify(self)

    def _aliases(self, flag: _Flag) -> list:
        original = flag.original if isinstance(flag, _AliasFlag) else flag
        return [n for n, f in self._flags().items()
                if f is original or (isinstance(f, _AliasFlag) and f.original is original)]

    def set_default(self, name: str, value: Any) -> None:
        """Changes the default of flag `name` (and its value, if not given on the command
        line or set); runs its validators."""
        flag = self._flag(name)
        flag._set_default(value)
        self._run_validators_of(flag)

    def __contains__(self, name: object) -> bool:
        return name in self._flags()

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._flags()))

    def __len__(self) -> int:
        return len(self._flags())

    def flag_values_dict(self) -> dict:
        """Name -> current value of every flag."""
        if not self._parsed and self._autoparse:
            self(sys.argv)
        return {name: flag.value for name, flag in self._flags().items()}

    def get_flag_value(self, name: str, default: Any) -> Any:
        """The value of flag `name`, or `default` when that value is None."""
        value = getattr(self, name)
        return default if value is None else value


FLAGS = FlagValues(_parse_argv_on_read=True)


class FlagHolder:
    """What ``DEFINE_*`` returns: ``holder.value`` reads the flag from its `FlagValues`."""

    def __init__(self, flag_values: FlagValues, name: str) -> None:
        self._flagvalues, self.name = flag_values, name

    @property
    def value(self) -> Any:
        return getattr(self._flagvalues, self.name)

    @property
    def default(self) -> Any:
        return self._flagvalues[self.name].default

    @property
    def present(self) -> bool:
        return bool(self._flagvalues[self.name].present)


def _values(flag_values: Optional[FlagValues]) -> FlagValues:
    if flag_values is None:
        return FLAGS
    if not isinstance(flag_values, FlagValues):
        raise TypeError(f"flag_values should be a tf.app.flags.FlagValues, not "
                        f"{type(flag_values).__name__}")
    return flag_values


def _define(name: str, default: Any, help: str, parse: Callable[[str], Any],
            flag_values: Optional[FlagValues], is_bool: bool = False,
            multi: bool = False) -> FlagHolder:
    if not isinstance(name, str) or not name:
        raise TypeError(f"A flag name should be a non-empty string, not {name!r}")
    fv = _values(flag_values)
    fv._define(_Flag(name, default, help, parse, is_bool, multi))
    return FlagHolder(fv, name)


def _bounded(kind: Callable[[str], Any], lower: Any, upper: Any) -> Callable[[Any], Any]:
    def parse(text: Any) -> Any:
        value = kind(text)
        if (lower is not None and value < lower) or (upper is not None and value > upper):
            wording = _bounds_help("integer" if kind is int else "number", lower, upper)
            raise ValueError(f"{value} is not {wording}")
        return value
    return parse


def _bounds_help(kind: str, lower: Any, upper: Any) -> str:
    """absl's wording of a bound: 'a non-negative integer', 'a number in the range [0, 1]'."""
    article = "an" if kind == "integer" else "a"
    if lower is not None and upper is not None:
        return f"{article} {kind} in the range [{lower}, {upper}]"
    if lower == 1:
        return f"a positive {kind}"
    if upper == -1:
        return f"a negative {kind}"
    if lower == 0:
        return f"a non-negative {kind}"
    if upper == 0:
        return f"a non-positive {kind}"
    if upper is not None:
        return f"{kind} <= {upper}"
    return f"{kind} >= {lower}"


def _bounds_validator(holder: FlagHolder, kind: str, lower: Any, upper: Any) -> None:
    """As absl: the bounds are also checked when the flag is assigned or its default set."""
    if lower is None and upper is None:
        return

    def inside(value: Any) -> bool:
        if value is not None and ((lower is not None and value < lower) or
                                  (upper is not None and value > upper)):
            raise ValidationError(f"{value} is not {_bounds_help(kind, lower, upper)}")
        return True
    holder._flagvalues._add_validator(_Validator([holder.name], inside, "", multi=False))


def DEFINE_string(name: str, default: Optional[str], help: str = "",  # noqa: N802
                  flag_values: Optional[FlagValues] = None, **kwargs: Any) -> FlagHolder:
    """Defines a string flag."""
    return _define(name, default, help, str, flag_values)


def DEFINE_integer(name: str, default: Optional[int], help: str = "",  # noqa: N802
                   lower_bound: Optional[int] = None, upper_bound: Optional[int] = None,
                   flag_values: Optional[FlagValues] = None, **kwargs: Any) -> FlagHolder:
    """Defines an integer flag (with optional bounds, also checked on assignment)."""
    holder = _define(name, default, help, _bounded(int, lower_bound, upper_bound), flag_values)
    _bounds_validator(holder, "integer", lower_bound, upper_bound)
    return holder


def DEFINE_float(name: str, default: Optional[float], help: str = "",  # noqa: N802
                 lower_bound: Optional[float] = None, upper_bound: Optional[float] = None,
                 flag_values: Optional[FlagValues] = None, **kwargs: Any) -> FlagHolder:
    """Defines a float flag (with optional bounds, also checked on assignment)."""
    holder = _define(name, default, help, _bounded(float, lower_bound, upper_bound),
                     flag_values)
    _bounds_validator(holder, "number", lower_bound, upper_bound)
    return holder


def DEFINE_boolean(name: str, default: Optional[bool], help: str = "",  # noqa: N802
                   flag_values: Optional[FlagValues] = None, **kwargs: Any) -> FlagHolder:
    """Defines a boolean flag (``--name``, ``--noname``, ``--name=false``)."""
    return _define(name, default, help, _parse_bool, flag_values, is_bool=True)


DEFINE_bool = DEFINE_boolean


def _enum_parser(enum_values: Sequence[str], case_sensitive: bool) -> Callable[[str], str]:
    if not enum_values or isinstance(enum_values, str):
        raise ValueError(f"enum_values should be a non-empty list of strings, not "
                         f"{enum_values!r}")
    values = list(enum_values)

    def parse(text: str) -> str:
        if case_sensitive:
            if text in values:
                return text
        else:
            for v in values:
                if v.upper() == text.upper():
                    return v
        raise ValueError(f"should be one of {values}")
    return parse


def DEFINE_enum(name: str, default: Optional[str], enum_values: Sequence[str],  # noqa: N802
                help: str = "", flag_values: Optional[FlagValues] = None,
                **kwargs: Any) -> FlagHolder:
    """Defines a string flag restricted to `enum_values`."""
    return _define(name, default, help, _enum_parser(enum_values, True), flag_values)


def DEFINE_multi_enum(name: str, default: Any, enum_values: Sequence[str],  # noqa: N802
                      help: str = "", flag_values: Optional[FlagValues] = None,
                      case_sensitive: bool = True, **kwargs: Any) -> FlagHolder:
    """Defines a repeatable flag whose every value is one of `enum_values` (a list)."""
    return _define(name, default, help, _enum_parser(enum_values, case_sensitive), flag_values,
                   multi=True)


def DEFINE_enum_class(name: str, default: Any, enum_class: type, help: str = "",  # noqa: N802
                      flag_values: Optional[FlagValues] = None, module_name: Optional[str] = None,
                      case_sensitive: bool = False, **kwargs: Any) -> FlagHolder:
    """Defines a flag whose value is a member of the `enum.Enum` subclass `enum_class`, given
    on the command line by member name (case-insensitively unless `case_sensitive`)."""
    if not (isinstance(enum_class, type) and issubclass(enum_class, enum.Enum)):
        raise TypeError(f"enum_class should be an enum.Enum subclass, not {enum_class!r}")
    if not list(enum_class):
        raise ValueError(f"enum_class {enum_class.__name__} has no members")
    by_name = _enum_parser([m.name for m in enum_class], case_sensitive)

    def parse(text: Any) -> Any:
        if isinstance(text, enum_class):
            return text
        return enum_class[by_name(text)]
    if isinstance(default, enum_class):
        default = default.name
    return _define(name, default, help, parse, flag_values)


def DEFINE_list(name: str, default: Any, help: str = "",  # noqa: N802
                flag_values: Optional[FlagValues] = None, **kwargs: Any) -> FlagHolder:
    """Defines a comma-separated list flag."""
    return _define(name, default, help,
                   lambda text: [v.strip() for v in text.split(",") if v.strip()], flag_values)


def DEFINE_spaceseplist(name: str, default: Any, help: str = "",  # noqa: N802
                        comma_compat: bool = False, flag_values: Optional[FlagValues] = None,
                        **kwargs: Any) -> FlagHolder:
    """Defines a whitespace-separated list flag (also comma-separated if `comma_compat`)."""
    def parse(text: str) -> list:
        return (text.replace(",", " ") if comma_compat else text).split()
    return _define(name, default, help, parse, flag_values)


def DEFINE_multi_string(name: str, default: Any, help: str = "",  # noqa: N802
                        flag_values: Optional[FlagValues] = None, **kwargs: Any) -> FlagHolder:
    """Defines a string flag that may be given several times (a list)."""
    return _define(name, default, help, str, flag_values, multi=True)


def DEFINE_multi_integer(name: str, default: Any, help: str = "",  # noqa: N802
                         lower_bound: Optional[int] = None, upper_bound: Optional[int] = None,
                         flag_values: Optional[FlagValues] = None,
                         **kwargs: Any) -> FlagHolder:
    """Defines an integer flag that may be given several times (a list)."""
    holder = _define(name, default, help, _bounded(int, lower_bound, upper_bound), flag_values,
                     multi=True)
    return holder  # as absl: bounds checked when parsed, not on assignment


def DEFINE_multi_float(name: str, default: Any, help: str = "",  # noqa: N802
                       lower_bound: Optional[float] = None, upper_bound: Optional[float] = None,
                       flag_values: Optional[FlagValues] = None,
                       **kwargs: Any) -> FlagHolder:
    """Defines a float flag that may be given several times (a list)."""
    holder = _define(name, default, help, _bounded(float, lower_bound, upper_bound),
                     flag_values, multi=True)
    return holder  # as absl: bounds checked when parsed, not on assignment


def DEFINE_alias(name: str, original_name: str,  # noqa: N802
                 flag_values: Optional[FlagValues] = None,
                 module_name: Optional[str] = None) -> FlagHolder:
    """Defines `name` as another name for the flag `original_name` (same value)."""
    fv = _values(flag_values)
    if original_name not in fv:
        raise UnrecognizedFlagError(f"Flag --{original_name} is not defined: define it "
                                    f"before DEFINE_alias({name!r}, {original_name!r})")
    original = fv[original_name]
    if isinstance(original, _AliasFlag):
        original = original.original
    fv._define(_AliasFlag(name, original))
    return FlagHolder(fv, name)


# The validator, default and key-flag functions live next door; re-exported here as absl does.
from flowgraph.tf1.flags_validation import (  # noqa: E402
    adopt_module_key_flags,
    declare_key_flag,
    flag_dict_to_args,
    mark_bool_flags_as_mutual_exclusive,
    mark_flag_as_required,
    mark_flags_as_mutual_exclusive,
    mark_flags_as_required,
    multi_flags_validator,
    register_multi_flags_validator,
    register_validator,
    set_default,
    validator,
)
