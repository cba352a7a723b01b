"""``python -m indexer`` and the ``budget-index`` command."""

import sys

# The elasticsearch package loads its asyncio transports (aiohttp, httpx) whenever they are
# installed, as they are for the API. The indexer uses the sync client only, and those imports
# were half of its start: most of an unchanged re-run. A program that has loaded them already
# (a test run, say) keeps them.
ASYNC_TRANSPORTS = ("aiohttp", "httpx")


def main() -> int:
    for name in ASYNC_TRANSPORTS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # None: "not installed"
    from indexer.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
