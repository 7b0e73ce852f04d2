"""Every component id of the app, once. Callbacks and tests import them from here."""

RELOAD = "reload"  # a dcc.Location(refresh=True) in the app's layout: a redraw after a write
CASE_LIST = "case-list"  # the agenda table
PAGE_MESSAGE = "page-message"
CASE_ID = "case-id"  # dcc.Store with the open case's id
CASE_HEADER = "case-header"
DIAGNOSIS_BANNER = "diagnosis-banner"
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
ADD_FILE_INPUT = "add-file-input"  # the <input type=file> inside ADD_UPLOAD
ADD_CHOSEN = "add-chosen"  # dcc.Store: names of the chosen files (assets/30_upload.js)
ADD_STAGED = "add-staged"  # dcc.Store: the staging folder the files were streamed into
ADD_FILES = "add-files"
ADD_TITLE = "add-title"
ADD_DIAGNOSIS = "add-diagnosis"
ADD_BUTTON = "add-button"
ADD_RESULT = "add-result"

FINDING = "finding"  # pattern-matching id type: {"type": FINDING, "row": n}

# curation and board decisions (issue 6)
STATUS_BAR = "status-bar"
STATUS_BUTTON = "status-button"  # pattern-matching: {"type": STATUS_BUTTON, "status": s}
FINAL_BUTTON = "final-button"
CONFIRM_FINAL = "confirm-final"  # dcc.ConfirmDialogProvider around FINAL_BUTTON
BOARD_MESSAGE = "board-message"
CURATION = "curation"
CURATION_ROW = "curation-row"  # dcc.Store: the finding row and the curation's version
CURATE_ONCOGENICITY = "curate-oncogenicity"
CURATE_TIER = "curate-tier"
CURATE_REASON = "curate-reason"
CURATE_COMMENT = "curate-comment"
CURATE_IN_REPORT = "curate-in-report"
CURATE_SAVE = "curate-save"
SUMMARY = "case-summary"
SUMMARY_TEXT = "summary-text"
SUMMARY_SAVE = "summary-save"
SUMMARY_VERSION = "summary-version"  # dcc.Store: the summary's own version
RECORD_VERSION = "record-version"  # dcc.Store: the status's and meeting's version
CASE_REVISION = "case-revision"  # dcc.Store: the case's revision the page shows ("final")
DECISIONS = "decisions"
RECOMMEND_KIND = "recommend-kind"
RECOMMEND_TEXT = "recommend-text"
RECOMMEND_GRADE = "recommend-grade"
RECOMMEND_TIER = "recommend-tier"
RECOMMEND_RATIONALE = "recommend-rationale"
RECOMMEND_FINDINGS = "recommend-findings"
RECOMMEND_SAVE = "recommend-save"
WITHDRAW = "withdraw"  # pattern-matching: {"type": WITHDRAW, "id": n, "version": v}
AUDIT = "audit-log"
AUDIT_OLDER = "audit-older"
AUDIT_NEWER = "audit-newer"
AUDIT_SKIP = "audit-skip"  # dcc.Store: how many newer entries the shown page skips
DOWNLOAD = "download"  # pattern-matching: {"type": DOWNLOAD, "format": f}
DOWNLOAD_FILE = "download-file"

# meetings
MEETING_FILTER = "meeting-filter"
AGENDA_TABLE = "agenda-table"
MEETING_DAY = "meeting-day"
MEETING_TITLE = "meeting-title"
MEETING_PEOPLE = "meeting-people"
MEETING_ADD = "meeting-add"
MEETING_MESSAGE = "meeting-message"
CASE_MEETING = "case-meeting"

# cases that last (issue 13): versions, annotation progress, changes since the board met
CASE_VERSION = "case-version"  # dcc.Store: the annotation version the page shows
VERSION_PANEL = "version-panel"
BOARD_CHANGES = "board-changes"
ORPHAN_CURATIONS = "orphan-curations"
PENDING = "case-pending"
PENDING_REFRESH = "pending-refresh"  # dcc.Interval while a case is being annotated
CHANGED_FILTER = "changed-filter"  # agenda: cases with changes since their last board
AGENDA_REFRESH = "agenda-refresh"  # dcc.Interval while cases are being annotated
# trials (issue 14)
TRIALS_LINK = "trials-link"  # the navbar's link to /trials
CASE_TRIALS = "case-trials"  # the case page's Trials section (filled after the page is drawn)
CASE_TRIALS_REQUEST = "case-trials-request"  # dcc.Store: the case whose trials to match
TRIALS_NOTE = "trials-note"  # what ClinicalTrials.gov answered, or why it was not asked
TRIAL_ARM = "trial-arm"  # pattern-matching: {"type": TRIAL_ARM, "trial": id, "arm": code}
TRIAL_PROPOSE = "trial-propose"  # pattern-matching: {"type": TRIAL_PROPOSE, "index": n}
TRIAL_PROPOSALS = "trial-proposals"  # dcc.Store: the arms a proposal button may name
TRIALS_TABLE = "trials-portfolio"
TRIAL_CHOICE = "trial-choice"
TRIAL_NCT = "trial-nct"
TRIAL_QUERY = "trial-query"
TRIAL_PATIENTS = "trial-patients"
TRIAL_PATIENT = "trial-patient"  # pattern-matching: {"type": TRIAL_PATIENT, "case": id, "arm": a}
RECOMMEND_NCT = "recommend-nct"  # the NCT id of a clinical-trial recommendation
MAIN = "main"  # every page's <main> region: the skip link's target (mtb.web.document)

# the tumor type a curator chooses (issue 11; layouts.tumor_type)
TUMOR_TYPE = "tumor-type"  # the html.Details holding the form
TUMOR_TYPE_CHOICE = "tumor-type-choice"
TUMOR_TYPE_START = "tumor-type-start"  # dcc.Store: the options the page started with
TUMOR_TYPE_REASON = "tumor-type-reason"
TUMOR_TYPE_SAVE = "tumor-type-save"
