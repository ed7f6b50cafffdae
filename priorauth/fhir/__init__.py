"""priorauth.fhir."""
