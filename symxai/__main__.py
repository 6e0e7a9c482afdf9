"""``python -m symxai``: the same as the ``symxai`` command."""

from symxai.cli import main

main()
