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
COPY core core
RUN pip install --no-cache-dir --upgrade pip setuptools wheel \
 && pip install --no-cache-dir .

FROM python:3.11-slim
# Pictures of drafts: WeasyPrint lays pages out with Pango (HarfBuzz, fontconfig); Inter comes
# from PyPI, Noto CJK draws Chinese, Japanese and Korean text (about 91 MB of the image).
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 alignbot
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    DATA_DIR=/data \
    PYTHONUNBUFFERED=1
# Static instances of the variable Inter font, made once here rather than on the first draft.
RUN python -c "from drafting.pictures.engine import warm; warm()" && chmod -R a+rX /tmp
RUN mkdir -p /data && chown alignbot:alignbot /data
USER alignbot
WORKDIR /home/alignbot
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:3000/healthz').status == 200 else 1)"
ENTRYPOINT ["alignbot", "serve"]
CMD ["--host", "0.0.0.0", "--port", "3000"]
