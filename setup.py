"""The one compiled module, the hidden-harm scanner's work per match
(`src/firstcontact/harm/evidence_spans.pyx`, Cython); everything else is in pyproject.toml."""

from Cython.Build import cythonize
from setuptools import setup

setup(ext_modules=cythonize("src/firstcontact/harm/evidence_spans.pyx"))
