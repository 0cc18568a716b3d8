"""Training, evaluation and corpus tooling for pagesieve (not imported by the runtime package)."""
