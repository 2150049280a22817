"""Measure: quality and speed figures (eval, check eval, bench, load test, scale study).

Tools, not product: they import the engine and anything below it; nothing imports them but the CLI.
"""
