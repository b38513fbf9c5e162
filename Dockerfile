# Production image: the site, WeasyPrint's libraries and the CJK font; PostgreSQL by URL.
FROM python:3.11-slim-bookworm

RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk postgresql-client \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.lock pyproject.toml ./
RUN pip install --no-cache-dir -r requirements.lock
COPY site site
COPY templates templates
COPY static static
COPY migrations migrations
COPY piccolo_conf.py ./
RUN pip install --no-cache-dir --no-deps . \
 && useradd --system --home /app civic \
 && mkdir -p /app/var && chown civic /app/var
# The package is installed, but templates, static files and migrations are read from /app.
ENV PYTHONPATH=/app/site CIVIC_VAR_DIR=/app/var
USER civic
RUN civic fonts

EXPOSE 8000
# What a proxy and compose wait for: 200 once the site and its database answer.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
# One container on its own migrates, then serves. Behind nginx with several replicas
# (compose.yaml) the migration runs once beforehand and each replica only serves.
CMD ["sh", "-c", "civic migrate && exec civic serve --host 0.0.0.0 --port 8000 --workers ${WORKERS:-4}"]
