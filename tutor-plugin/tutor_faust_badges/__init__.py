"""Tutor plugin for faust-badges: ``tutor plugins enable faust-badges``."""

__version__ = "0.1.0"
