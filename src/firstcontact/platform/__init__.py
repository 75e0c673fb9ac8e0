"""What every room stands on, and no policing logic."""
