"""The ILP FHIR gateway service: FHIR REST API, store backends, CLI."""
