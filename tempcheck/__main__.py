"""Allow ``python -m tempcheck``."""

from tempcheck.cli.main import main

if __name__ == "__main__":
    main()
