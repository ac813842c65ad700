"""The team's knowledge base: ingestion, per-workspace Chroma collections and cited retrieval.

`KnowledgeBase` (service.py) owns the vector store and the embedding model, so only the worker
builds one; `DocumentCatalog` (catalog.py) lists documents from SQL alone for the serving side.
Imports core/ only.
"""
