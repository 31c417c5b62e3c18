"""Builders shared by every record type's mapper: the visit, the Patient, the Encounter, quantity and coded
Observations, interpretations and referrals. Each module cites the SATUSEHAT pages and Kamus Validasi rule
numbers it follows (domain notes satusehat-and-ilp.md §1–§3, summarised in terminology/urls.py)."""
