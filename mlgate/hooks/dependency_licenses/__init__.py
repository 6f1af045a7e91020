"""`mlgate dependency-licenses`: the licenses of the project's Python dependencies."""
