# Mirrors the README install: a venv with `pip install .`, run as a non-root user.
FROM python:3.11-slim AS build
WORKDIR /src
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY pyproject.toml README.md ./
COPY bot bot
COPY handlers handlers
COPY knowledge knowledge
COPY drafting drafting
COPY scheduler scheduler
RUN pip install --no-cache-dir --upgrade pip setuptools wheel \
 && pip install --no-cache-dir .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 alignbot
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    DATA_DIR=/data \
    PYTHONUNBUFFERED=1
RUN mkdir -p /data && chown alignbot:alignbot /data
USER alignbot
WORKDIR /home/alignbot
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:3000/healthz').status == 200 else 1)"
ENTRYPOINT ["alignbot", "serve"]
CMD ["--host", "0.0.0.0", "--port", "3000"]
