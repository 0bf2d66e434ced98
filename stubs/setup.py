"""Build of the typedsignals-flask-stubs distribution (see pyproject.toml)."""

from setuptools import setup

setup(
    name="typedsignals-flask-stubs",
    version="0.1.0",
    description="Types of Flask's raw blinker signals: kwargs receivers checked with no plugin",
    python_requires=">=3.11",
    install_requires=["flask>=3.0", "blinker>=1.9"],
    packages=["flask-stubs"],
    package_data={"flask-stubs": ["*.pyi", "py.typed"]},
)
