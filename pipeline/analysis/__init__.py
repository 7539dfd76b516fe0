"""Phase 2, analysis: the Article 66 key, the indicators, the pressure reconstruction, the
projection and the solidarity pool, computed from the processed tables."""
