"""`fg.contrib.training`: TF1's `tf.contrib.training.HParams`, a set of typed
hyper-parameters that can be overridden from a ``"name=value,..."`` string or JSON::

    hparams = fg.contrib.training.HParams(learning_rate=0.1, num_layers=2,
                                          sizes=[64, 32], activation="relu")
    hparams.parse("learning_rate=0.3,sizes=[128,64]")
    hparams.learning_rate  # 0.3
"""

from __future__ import annotations

import json
import numbers
import re
from typing import Any, Optional

__all__ = ["HParams", "parse_values"]

PARAM_RE = re.compile(r"""
  (?P<name>[a-zA-Z][\w\.]*)      # variable name: "var" or "x"
  (\[\s*(?P<index>\d+)\s*\])?    # (optional) index: "1" or None
  \s*=\s*
  ((?P<val>[^,\[]*)              # single value: "a" or None
   |
   \[(?P<vals>[^\]]*)\])         # list of values: None or "1,2,3"
  ($|,\s*)""", re.VERBOSE)


def _parse_fail(name: str, var_type: type, value: Any, values: str) -> None:
    raise ValueError(f"Could not parse hparam '{name}' of type '{var_type.__name__}' with "
                     f"value '{value}' in {values}")


def _reuse_fail(name: str, values: str) -> None:
    raise ValueError(f"Multiple assignments to variable '{name}' in {values}")


def _process_scalar_value(name: str, parse_fn: Any, var_type: type, m_dict: dict,
                          values: str, results: dict) -> None:
    try:
        parsed_value = parse_fn(m_dict["val"])
    except ValueError:
        _parse_fail(name, var_type, m_dict["val"], values)
    if not m_dict["index"]:
        if name in results:
            _reuse_fail(name, values)
        results[name] = parsed_value
        return
    if name in results:
        if not isinstance(results[name], dict):
            _reuse_fail(name, values)
    else:
        results[name] = {}
    index = int(m_dict["index"])
    if index in results[name]:
        _reuse_fail(f"{name}[{index}]", values)
    results[name][index] = parsed_value


def _process_list_value(name: str, parse_fn: Any, var_type: type, m_dict: dict, values: str,
                        results: dict) -> None:
    if m_dict["index"] is not None:
        raise ValueError("Assignment of a list to a list index.")
    elements = [e for e in re.split("[ ,]", m_dict["vals"]) if e]
    if name in results:
        _reuse_fail(name, values)
    try:
        results[name] = [parse_fn(e) for e in elements]
    except ValueError:
        _parse_fail(name, var_type, m_dict["vals"], values)


def _cast_to_type_if_compatible(name: str, param_type: type, value: Any) -> Any:
    """`value` as `param_type`, refusing lossy or surprising conversions (float to int,
    number to bool or string, and the reverse); int to float is allowed."""
    fail_msg = f"Could not cast hparam '{name}' of type '{param_type}' from value {value!r}"
    if type(value) is param_type:
        return value
    if issubclass(param_type, type(None)):
        return value
    if (issubclass(param_type, (str, bytes))
            and not isinstance(value, (str, bytes))):
        raise ValueError(fail_msg)
    if issubclass(param_type, bool) != isinstance(value, bool):
        raise ValueError(fail_msg)
    if issubclass(param_type, numbers.Integral) and not isinstance(value, numbers.Integral):
        raise ValueError(fail_msg)
    if issubclass(param_type, numbers.Number) and not isinstance(value, numbers.Number):
        raise ValueError(fail_msg)
    return param_type(value)


def parse_values(values: str, type_map: dict, ignore_unknown: bool = False) -> dict:
    """Parses ``"name=value,name2=[v1,v2],name3[1]=v"`` into a dict, each value parsed with
    the type in `type_map` (bools accept true/True/false/False or an integer).

    Indexed assignments ``x[i]=v`` give ``{'x': {i: v}}``. Raises ValueError for malformed
    text, unknown names (unless `ignore_unknown`), values that do not parse as their type,
    and repeated assignments.
    """
    results: dict = {}
    pos = 0
    while pos < len(values):
        m = PARAM_RE.match(values, pos)
        if not m:
            raise ValueError(f"Malformed hyperparameter value: {values[pos:]}")
        pos = m.end()
        m_dict = m.groupdict()
        name = m_dict["name"]
        if name not in type_map:
            if ignore_unknown:
                continue
            raise ValueError(f"Unknown hyperparameter type for {name}")
        type_ = type_map[name]
        if type_ is bool:
            def parse(value: str, name: str = name) -> bool:
                if value in ("true", "True"):
                    return True
                if value in ("false", "False"):
                    return False
                try:
                    return bool(int(value))
                except ValueError:
                    _parse_fail(name, bool, value, values)
        else:
            parse = type_
        if m_dict["val"] is not None:
            _process_scalar_value(name, parse, type_, m_dict, values, results)
        elif m_dict["vals"] is not None:
            _process_list_value(name, parse, type_, m_dict, values, results)
        else:
            _parse_fail(name, type_, "", values)
    return results


class HParams:
    """Hyper-parameters as typed attributes (TF1's `tf.contrib.training.HParams`).

    Each keyword argument becomes an attribute; its type (or, for a list, its first
    element's type) is recorded, and `set_hparam`, `parse`, `parse_json` and
    `override_from_dict` convert new values to it, refusing float -> int, number <-> bool
    and number <-> string (int -> float is allowed). Names of existing attributes
    (``values``, ``parse``, ...) are reserved.

    `hparam_def` (a serialized ``HParamDef`` protocol buffer in TF1) is not supported:
    flowgraph has no protocol buffers; build from keyword arguments or `parse_json`.
    """

    _HAS_DYNAMIC_ATTRIBUTES = True

    def __init__(self, hparam_def: Any = None, model_structure: Any = None,
                 **kwargs: Any) -> None:
        self._hparam_types: dict = {}
        self._model_structure = model_structure
        if hparam_def:
            raise ValueError("HParams(hparam_def=...) needs an HParamDef protocol buffer, "
                             "which flowgraph does not have; pass the values as keyword "
                             "arguments, e.g. HParams(**values) or "
                             "HParams(**json.loads(text)).")
        for name, value in kwargs.items():
            self.add_hparam(name, value)

    def add_hparam(self, name: str, value: Any) -> None:
        """Adds hyper-parameter `name` with `value` (its type is inferred from `value`)."""
        if getattr(self, name, None) is not None:
            raise ValueError(f"Hyperparameter name is reserved: {name}")
        if isinstance(value, (list, tuple)):
            if not value:
                raise ValueError(f"Multi-valued hyperparameters cannot be empty: {name}")
            self._hparam_types[name] = (type(value[0]), True)
        else:
            self._hparam_types[name] = (type(value), False)
        setattr(self, name, value)

    def set_hparam(self, name: str, value: Any) -> None:
        """Sets `name` to `value`, converted to its type (ValueError when incompatible;
        KeyError when `name` is not a hyper-parameter)."""
        param_type, is_list = self._hparam_types[name]
        if isinstance(value, list):
            if not is_list:
                raise ValueError(f"Must not pass a list for single-valued parameter: {name}")
            setattr(self, name, [_cast_to_type_if_compatible(name, param_type, v)
                                 for v in value])
        else:
            if is_list:
                raise ValueError(f"Must pass a list for multi-valued parameter: {name}.")
            setattr(self, name, _cast_to_type_if_compatible(name, param_type, value))

    def del_hparam(self, name: str) -> None:
        """Removes hyper-parameter `name` (nothing happens if there is none)."""
        if hasattr(self, name):
            delattr(self, name)
            del self._hparam_types[name]

    def parse(self, values: str) -> "HParams":
        """Overrides values from ``"name=value,list_name=[v1,v2],..."`` (see
        `parse_values`); returns self."""
        type_map = {name: param_type for name, (param_type, _) in self._hparam_types.items()}
        values_map = parse_values(values, type_map)
        for name, value in values_map.items():
            if isinstance(value, dict):
                raise ValueError(f"HParams.parse cannot assign list elements ('{name}[i]=...' "
                                 f"in {values}); assign the whole list: {name}=[v1,v2,...]")
        return self.override_from_dict(values_map)

    def override_from_dict(self, values_dict: dict) -> "HParams":
        """Sets each ``name: value`` of `values_dict` with `set_hparam`; returns self."""
        for name, value in values_dict.items():
            self.set_hparam(name, value)
        return self

    def set_from_map(self, values_map: dict) -> "HParams":
        """Deprecated in TF1: use `override_from_dict`."""
        return self.override_from_dict(values_map)

    def set_model_structure(self, model_structure: Any) -> None:
        """Stores `model_structure` (any object)."""
        self._model_structure = model_structure

    def get_model_structure(self) -> Any:
        """The `model_structure` given to the constructor or `set_model_structure`."""
        return self._model_structure

    def to_json(self, indent: Optional[int] = None, separators: Any = None,
                sort_keys: bool = False) -> str:
        """The values as a JSON object (callable values are left out)."""
        def remove_callables(x: Any) -> Any:
            if isinstance(x, dict):
                return {k: remove_callables(v) for k, v in x.items() if not callable(v)}
            if isinstance(x, list):
                return [remove_callables(i) for i in x if not callable(i)]
            return x
        return json.dumps(remove_callables(self.values()), indent=indent,
                          separators=separators, sort_keys=sort_keys)

    def parse_json(self, values_json: str) -> "HParams":
        """Overrides values from a JSON object of ``name: value``; returns self."""
        return self.override_from_dict(json.loads(values_json))

    def values(self) -> dict:
        """The hyper-parameters as a ``{name: value}`` dict."""
        return {n: getattr(self, n) for n in self._hparam_types}

    def get(self, key: str, default: Any = None) -> Any:
        """The value of `key`, or `default` when there is no such hyper-parameter; a
        `default` incompatible with the hyper-parameter's type raises ValueError."""
        if key not in self._hparam_types:
            return default
        if default is not None:
            param_type, is_param_list = self._hparam_types[key]
            type_str = f"list<{param_type}>" if is_param_list else str(param_type)
            fail_msg = (f"Hparam '{key}' of type '{type_str}' is incompatible with "
                        f"default={default}")
            is_default_list = isinstance(default, list)
            if is_param_list != is_default_list:
                raise ValueError(fail_msg)
            try:
                for value in (default if is_default_list else [default]):
                    _cast_to_type_if_compatible(key, param_type, value)
            except ValueError as e:
                raise ValueError(f"{fail_msg}. {e}") from None
        return getattr(self, key)

    def __contains__(self, key: str) -> bool:
        return key in self._hparam_types

    def __str__(self) -> str:
        return str(sorted(self.values().items()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self})"
