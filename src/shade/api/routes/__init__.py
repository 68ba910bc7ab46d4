"""The HTTP routes, one module per subject; each thin: read the request, call the store and
``shade.access``, shape the answer."""
