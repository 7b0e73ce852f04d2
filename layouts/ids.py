"""Every component id of the app, once. Callbacks and tests import them from here."""

CASE_LIST = "case-list"
PAGE_MESSAGE = "page-message"
