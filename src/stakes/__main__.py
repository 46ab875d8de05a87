"""``python -m stakes`` runs the command line."""

from stakes.cli import main

main()
