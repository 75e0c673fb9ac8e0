"""firstcontact: contact, risk and victim care for a police Force Control and Incident Room."""

__version__ = "0.1.0"
