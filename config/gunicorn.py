"""gunicorn's settings for production (`gunicorn -c python:config.gunicorn config.wsgi`).

The access log goes to stdout with every secret in a path masked (`tenancy.logmask`): a
calendar feed's key never lands in a log file or a log shipper."""

from gunicorn.glogging import Logger

from tenancy.logmask import mask

bind = "0.0.0.0:8000"
accesslog = "-"


class MaskingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        # The request line, the path, the referer, the raw URI among the environ atoms, ...
        return {
            name: mask(value) if isinstance(value, str) else value for name, value in atoms.items()
        }


logger_class = MaskingLogger
