# The tidings simulator, as docker-compose.yml's `tidings` service runs it.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /opt/tidings
COPY pyproject.toml README.md ./
COPY contracts ./contracts
COPY simulator ./simulator
COPY fixtures ./fixtures
COPY cli ./cli
COPY pytest_plugin ./pytest_plugin
RUN pip install --no-cache-dir . \
    && useradd --create-home tidings
USER tidings

ENTRYPOINT ["tidings"]
EXPOSE 8080
CMD ["up", "--engine", "localstack", "--api-host", "0.0.0.0"]
