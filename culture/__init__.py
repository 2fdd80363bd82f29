"""Objective 1: client and caller culture, adaptations and their measured effect."""
