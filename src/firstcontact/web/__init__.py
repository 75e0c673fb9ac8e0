"""The web layer: layout templates, sign-in, dependencies, middleware and error pages."""
