"""``python -m feedback_nlp``."""

from .cli import main

main()
