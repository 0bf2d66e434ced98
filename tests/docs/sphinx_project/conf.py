"""A small Sphinx project documenting tests/docs/docs_sample.py."""

project = "docs-sample"
extensions = ["typedsignals.sphinx"]
exclude_patterns = ["_build"]
# Typographic quotes would make the field table's text differ from MkDocs' for a reason
# that is Sphinx's, not ours; tests/docs compares the two.
smartquotes = False
