"""Records: data-protection duties across every room (retention under MoPI, subject access)."""
