# The API and the indexer share one image.
FROM python:3.11-slim
WORKDIR /app
# OpenCV, which the OCR engine loads, needs libGL and GLib (scripts/ocr-deps.sh)
RUN apt-get update && apt-get install -y --no-install-recommends libgl1 libglib2.0-0 \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY indexer ./indexer
COPY search_api ./search_api
COPY mappings ./mappings
COPY samples ./samples
# Editable, so mappings/ is found beside the packages, as in a checkout.
RUN pip install --no-cache-dir -e .
ENV API_HOST=0.0.0.0 API_PORT=8000
EXPOSE 8000
CMD ["python", "-m", "search_api"]
