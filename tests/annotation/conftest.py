"""The session-wide knowledge base (`kb`, `data_dir`) lives in tests/conftest.py."""
