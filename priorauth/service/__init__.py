"""priorauth.service."""
