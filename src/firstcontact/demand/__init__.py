"""Demand: incidents, dispatcher queues, resources and the team leader's live view."""
