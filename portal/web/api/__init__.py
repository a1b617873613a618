"""The JSON API at /api/v1 (issue #21): token authentication, problem+json errors, the routes
and their OpenAPI document. Views are thin; the work is done by the domains' services."""
