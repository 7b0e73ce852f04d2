"""The web app (Dash): pages, callbacks, sign-in, the case library and adding cases."""
