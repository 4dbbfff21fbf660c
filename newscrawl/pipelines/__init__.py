"""Item pipelines, in order (settings.ITEM_PIPELINES): clean -> dedup -> validate."""
