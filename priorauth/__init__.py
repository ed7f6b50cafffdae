"""priorauth."""
