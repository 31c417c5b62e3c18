"""Terminology: code systems, value sets, concept maps and canonical URLs (leaf package: imports no other
project package). Entry points: :class:`terminology.service.TerminologyService` (``load()``), the URLs in
:mod:`terminology.urls`, the NIK checks in :mod:`terminology.nik`. Data and licences: ``data/README.md``.
"""
