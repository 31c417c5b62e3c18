"""HTTP layer: routes translate HTTP to interactions and FhirResult back to HTTP, nothing more."""
