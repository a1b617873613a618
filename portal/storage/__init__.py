"""Where the portal keeps files: one small interface (:mod:`portal.storage.base`) with a
directory backend and an S3-compatible one, chosen by the settings
(:func:`portal.storage.factory.open_store`)."""
