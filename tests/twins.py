"""Helpers of the tests that compare the compiled twins with their pure definitions."""

from __future__ import annotations


class Refuse:
    """Stands in for a compiled module (or object) that must not be used: touching any
    of its attributes fails the test."""

    def __getattr__(self, name):
        raise AssertionError(f"the compiled twin was used ({name})")
