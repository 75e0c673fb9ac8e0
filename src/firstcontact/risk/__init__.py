"""Risk: THRIVE assessments, the National Decision Model rationale, and the determination."""
