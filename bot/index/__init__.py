"""Index: the embedding model, the BM25 matrix, FAISS vectors and the manifest.

Owns building, verifying and loading index/ (plain files plus a manifest, no pickle; an atomic
swap on rebuild). Imports bot.knowledge and the base modules only.
"""
