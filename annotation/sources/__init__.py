"""Knowledge sources, one module each, behind the `KnowledgeSource` interface (base.py)."""
