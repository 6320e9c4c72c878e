"""pytest settings shared by the unit tests and nbval's re-run of the executed notebooks."""


def pytest_collectstart(collector):
    """Papermill records TensorFlow's log lines on stderr that a re-run does not repeat: ignore stderr."""
    if str(getattr(collector, "path", "")).endswith(".ipynb"):
        collector.skip_compare += ("stderr",)
