"""Profiles: FHIR R4 conformance definitions and the validation engine."""
