"""Knowledge bases, matching and AMP/ASCO/CAP tiers (step 2 of the roadmap).

Imports only `mtb.variant` and `mtb.errors` from the stages to its left; never dash.
"""
