"""The `hitonagare` console script: the project's management commands, right settings."""

from __future__ import annotations

import os
import sys

# Commands spelled with a hyphen on the command line (`hitonagare demo-data`); Django's
# command modules cannot contain one.
HYPHENATED_COMMANDS = {"demo-data": "demo_data"}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hitonagare.config.settings.local")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args:
        args[0] = HYPHENATED_COMMANDS.get(args[0], args[0])
    execute_from_command_line(["hitonagare", *args])


if __name__ == "__main__":
    main()
