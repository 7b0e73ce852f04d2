"""Case -> Dash components. Pure functions: no file or database access, no callbacks."""
