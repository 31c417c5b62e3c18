"""Mappers: source-record contracts and record → FHIR transaction Bundle mappers."""
