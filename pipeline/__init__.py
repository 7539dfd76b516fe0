"""Reproducible pipeline for the European Annual Asylum and Migration Report (EAAMR)."""
