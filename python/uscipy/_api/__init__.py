"""Declarative tables the SciPy-API frontends are generated from."""
