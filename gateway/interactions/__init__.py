"""FHIR interactions as HTTP-free async functions, one module each."""
