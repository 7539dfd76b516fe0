"""Phase 1, inputs: download, the sample generator, the providers' readers, the ingest of the raw
files into the processed tables, and the loader of those tables."""
