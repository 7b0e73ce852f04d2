"""mtb: molecular tumor board case viewer (ingest -> annotate -> case -> layouts -> app)."""

__version__ = "0.1.0"
