"""The team's knowledge base: ingestion, per-workspace Chroma collections and cited retrieval."""
