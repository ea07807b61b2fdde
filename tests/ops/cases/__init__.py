"""Op test cases, one module per op module; every module defines CASES (a list of OpCase)."""

import importlib
import pkgutil


def all_cases() -> list:
    cases = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        cases.extend(module.CASES)
    return cases
