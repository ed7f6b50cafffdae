"""priorauth.rules."""
