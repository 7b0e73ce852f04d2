"""Every component id of the app, once. Callbacks and tests import them from here."""

CASE_LIST = "case-list"  # the agenda table
PAGE_MESSAGE = "page-message"
CASE_ID = "case-id"  # dcc.Store with the open case's id
CASE_HEADER = "case-header"
FINDINGS = "key-findings"
TIMELINE = "timeline"
EVENT_LIST = "event-list"
GRID = "variant-grid"
TIER_FILTER = "tier-filter"
VAF_PLOT = "vaf-plot"
EVIDENCE = "evidence-panel"
PRESENT_LINK = "present-link"
PREV_CASE = "prev-case"
NEXT_CASE = "next-case"
EXIT_PRESENT = "exit-present"
ADD_UPLOAD = "add-upload"
ADD_FILES = "add-files"
ADD_TITLE = "add-title"
ADD_DIAGNOSIS = "add-diagnosis"
ADD_BUTTON = "add-button"
ADD_RESULT = "add-result"

FINDING = "finding"  # pattern-matching id type: {"type": FINDING, "row": n}
