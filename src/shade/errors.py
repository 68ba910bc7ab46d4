"""The one exception root of SHADE, and every error the project raises on purpose.

Errors are data: each has a stable ``code`` (for scripts and the JSON error body), an
``http_status`` (for the server to come) and a one-line ``message`` (what the CLI prints).

    ShadeError              "error", 500
    ├── InputError          "bad_input", 400: a file, stream or argument that cannot be used
    │   └── NotFoundError   "not_found", 404: a path that does not exist (or one not visible)
    ├── ForbiddenError      "forbidden", 403: the user's role or party may not do this
    └── ConfigError         "bad_config", 400: a setting that cannot be parsed or is out of range
"""

from __future__ import annotations


class ShadeError(Exception):
    """Root of every error SHADE raises on purpose."""

    code = "error"
    http_status = 500

    def __init__(self, message: str) -> None:
        # One line, always: the CLI prints it as it is.
        super().__init__(" ".join(message.split()))

    @property
    def message(self) -> str:
        return str(self)

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


class InputError(ShadeError):
    code = "bad_input"
    http_status = 400


class NotFoundError(InputError):
    code = "not_found"
    http_status = 404


class ForbiddenError(ShadeError):
    code = "forbidden"
    http_status = 403


class ConfigError(ShadeError):
    code = "bad_config"
    http_status = 400
