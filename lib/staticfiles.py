"""The static files storage of a server: hashed names and gzip copies, without the libraries' source maps."""

from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from whitenoise.storage import (  # type: ignore[import-untyped]  # whitenoise ships no type information
    CompressedManifestStaticFilesStorage,
)


def _without_source_maps(patterns: tuple) -> tuple:
    """Django's reference patterns (url(), @import) less the sourceMappingURL comments."""
    kept = []
    for glob, rules in patterns:
        rules = tuple(rule for rule in rules if "sourceMappingURL" not in str(rule))
        if rules:
            kept.append((glob, rules))
    return tuple(kept)


class ServerStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """collectstatic for `make serve`: each file under a name carrying a hash of its content (which
    WhiteNoise serves with a ten-year cache lifetime) and a gzip copy beside it.

    static/vendor holds the minified files of the front-end libraries but not their source maps, so
    the `sourceMappingURL` comments in them are left as they are instead of failing collectstatic;
    url() and @import references are still rewritten to the hashed names.
    """

    patterns = _without_source_maps(ManifestStaticFilesStorage.patterns)
