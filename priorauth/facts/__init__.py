"""priorauth.facts."""
