# Dockerfile: tend's container image, for people who build with Docker (or podman, or
# `buildah bud`) and pull base images from a registry:
#
#   docker build -t tend:0.1.0-dev --build-arg TEND_COMMIT="$(git rev-parse HEAD)" .
#
# Without a registry or a Docker daemon, scripts/image builds the same contents FROM scratch
# (docs/install.md). Both install the one list of run-time packages, deploy/image/runtime-packages;
# a test (Tests/TendCLITests/ShippingTests.swift) keeps this file in step with scripts/image.

FROM swift:6.3-bookworm AS build
ARG TEND_COMMIT=""
WORKDIR /src
COPY . .
# scripts/release: the release build, stripped, with the commit stamped in (from .git when
# TEND_COMMIT is empty), and its check that runtime-packages covers every library it links.
RUN scripts/install-deps --release && scripts/release --out /out ${TEND_COMMIT:+--commit "$TEND_COMMIT"}

FROM debian:bookworm-slim
COPY deploy/image/runtime-packages /tmp/runtime-packages
RUN apt-get update \
    && sed 's/#.*//' /tmp/runtime-packages | xargs env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    && rm -rf /var/lib/apt/lists/* /tmp/runtime-packages \
    && groupadd --gid 65532 tend \
    && useradd --uid 65532 --gid 65532 --home-dir /nonexistent --no-create-home --shell /sbin/nologin tend
COPY --from=build /out/tend /usr/local/bin/tend
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/tend"]
