"""priorauth.render."""
