import uvicorn

from indexer.settings import get_settings


def main() -> None:
    settings = get_settings()
    print(f"serving on http://{settings.api_host}:{settings.api_port} (API docs at /docs)")
    uvicorn.run("search_api.app:app", host=settings.api_host, port=settings.api_port)


if __name__ == "__main__":
    main()
