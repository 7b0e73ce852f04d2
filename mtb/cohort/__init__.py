"""Cohorts over the case store: which cases carry a finding (`query`), and, on a case page,
which earlier cases carried the same one and what their board decided (`seen`)."""
