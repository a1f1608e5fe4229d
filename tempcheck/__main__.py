"""Allow ``python -m tempcheck``."""

from tempcheck.cli import main

if __name__ == "__main__":
    main()
