"""Foundations every phase shares: paths, parameters, periods, countries, errors, formatting and
atomic writes. Nothing here imports another phase."""
