# The streamlock KRM function as a container image: `kpt fn eval --image`, kustomize container
# functions, and the Argo CD plugin sidecar. The function reads a ResourceList on stdin and
# writes one on stdout; it needs no network, no writable filesystem and no root.
#
#   docker build -t ghcr.io/streamlock/streamlock:0.1.0 .

ARG NODE_IMAGE=node:22-alpine

# ---- build: install the locked dependencies and bundle dist/ (esbuild; no node_modules at run time)
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/ scripts/
COPY schema/ schema/
COPY src/ src/
RUN npm run build

# ---- runtime: node and the two bundles, nothing else
FROM ${NODE_IMAGE}
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="streamlock" \
      org.opencontainers.image.description="KRM function: resolves image.openshift.io/triggers to the digests an ImageStreamLock records" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/dist/ /app/dist/
COPY functions/ /app/functions/
# kpt and kustomize run functions as nobody; the image makes no assumption beyond "not root".
USER 65532:65532
ENTRYPOINT ["node", "/app/dist/streamlock-fn.mjs"]
