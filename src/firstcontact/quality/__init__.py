"""Quality assurance, the telephony and channel measures, and the service report."""
