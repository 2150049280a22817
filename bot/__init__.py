"""Evidence engine for the ketamine and NMDA-antagonist chronic-pain chatbot."""

__version__ = "0.1.0"
