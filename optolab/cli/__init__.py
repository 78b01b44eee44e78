"""The ``optolab`` command line."""
