"""Demo data for development: `manage.py seed_demo`. Imported by no app."""
