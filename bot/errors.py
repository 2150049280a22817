"""The few named errors of the engine. Each message says what to do next."""


class BotError(Exception):
    """Base class: the CLI prints these as one line, never a traceback."""


class KnowledgeError(BotError):
    """A knowledge file is missing, unreadable or breaks the format (names file and field)."""

    def __init__(self, path, field: str, message: str):
        self.path, self.field, self.message = str(path), field, message
        super().__init__(f"{self.path}: {field}: {message}")


class IndexStaleError(BotError):
    """The index is missing, corrupt, or was built from other knowledge or another model."""

    def __init__(self, reason: str, fix: str = "python -m bot build"):
        self.reason, self.fix = reason, fix
        super().__init__(f"{reason}. Fix it with: {fix}")


class ModelError(BotError):
    """The embedding model could not be found or loaded offline."""


class InputError(BotError):
    """A question or text that cannot be used (empty, not text)."""


class SettingsError(BotError):
    """An environment variable holds a value that cannot be used (the message names it)."""
