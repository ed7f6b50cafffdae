"""priorauth.evaluate."""
