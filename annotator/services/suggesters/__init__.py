"""Suggesters beyond the cue rules: a span categorizer trained on the
project's gold (:mod:`.spancat`, needs the ``ml`` extra) and a team's own
HTTP service (:mod:`.http`)."""
