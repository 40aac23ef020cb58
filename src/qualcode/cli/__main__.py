"""`python -m qualcode.cli`: the `qualcode` command."""

from qualcode.cli import main

if __name__ == "__main__":
    main()
