"""The site's trials and who fits them: the CTML portfolio, ClinicalTrials.gov, matching
with reasons, and the recruitment query."""
