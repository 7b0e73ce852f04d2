"""CIViC (civicdb.org, CC0): everything mtb knows about it lives in this folder.

    release.py    a monthly release's TSV summaries -> checked records (CivicRelease)
    knowledge.py  those records keyed for matching (CivicKnowledge)
    source.py     CIViC behind the KnowledgeSource interface (snapshot, or live with fallback)
    api.py        the GraphQL API and the release downloads (live mode, `mtb kb update`)
"""
