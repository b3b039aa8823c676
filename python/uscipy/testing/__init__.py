"""Test helpers for running other projects' test suites on uscipy's engine."""
