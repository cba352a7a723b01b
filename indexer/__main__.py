"""``python -m indexer`` and the ``budget-index`` command."""

import sys

# The elasticsearch package loads its other transports (aiohttp and httpx for asyncio,
# requests) whenever they are installed, as they are for the API and the tests. The indexer
# sends with urllib3 only, and those imports were half of its start: most of an unchanged
# re-run. A program that has loaded them already (a test run, say) keeps them.
UNUSED_TRANSPORTS = ("aiohttp", "httpx", "requests")


def main() -> int:
    for name in UNUSED_TRANSPORTS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # None: "not installed"
    from indexer.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
