"""Terminology: code systems, value sets and canonical URLs (leaf package)."""
