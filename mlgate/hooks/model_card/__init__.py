"""The `model-card-fields` hook: required metadata and sections of model and dataset cards."""
