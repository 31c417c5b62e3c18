"""Assemble a transaction Bundle (https://hl7.org/fhir/R4/bundle.html, http.html#transaction).

Resources with deterministic ids go in as ``PUT Type/id`` (a resend updates); a Patient found by NIK goes in
as a conditional create (``POST`` + ``ifNoneExist``), so the existing Patient is reused. Every entry has a
``urn:uuid`` fullUrl (SATUSEHAT requires one) and references between entries use those fullUrls.
"""

from __future__ import annotations

from typing import Any


class TransactionBuilder:
    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []

    def put(self, resource: dict[str, Any], resource_id: str) -> str:
        """Add a resource with a deterministic id; returns the reference to use (``urn:uuid:…``)."""
        full_url = f"urn:uuid:{resource_id}"
        rtype = resource["resourceType"]
        body = {"resourceType": rtype, "id": resource_id}  # these two first, then the resource's order
        body.update(resource)
        body["id"] = resource_id
        request = {"method": "PUT", "url": f"{rtype}/{resource_id}"}
        self.entries.append({"fullUrl": full_url, "resource": body, "request": request})
        return full_url

    def create_if_none_exist(self, resource: dict[str, Any], full_url_id: str, condition: str) -> str:
        """Add a conditional create (``condition``: ``identifier=system|value``); returns its reference."""
        full_url = f"urn:uuid:{full_url_id}"
        self.entries.append(
            {
                "fullUrl": full_url,
                "resource": resource,
                "request": {"method": "POST", "url": resource["resourceType"], "ifNoneExist": condition},
            }
        )
        return full_url

    def bundle(self) -> dict[str, Any]:
        return {"resourceType": "Bundle", "type": "transaction", "entry": self.entries}
