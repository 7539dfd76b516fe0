"""Phase 3, publication: figures, facts for the prose, the caveats log, the data annex and the
sources annex, written to outputs/<year>/."""
