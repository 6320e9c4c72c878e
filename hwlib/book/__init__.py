"""The toolkit that runs and publishes the book: parameters, runner, site builder, generated pages.

Notebooks never import it; it needs the ``book`` extra (papermill, jupytext, jupyter-book).
"""
