"""Amtsweg: municipal online services from the citizen's application to the clerk's decision."""
