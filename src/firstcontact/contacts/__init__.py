"""Contacts: every way the public reach the force, taken in as one shape and never lost."""
