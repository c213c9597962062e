# The gRPC front FlytePropeller dials, as a container: `flyte-connector serve --backend lambda`,
# bundled by esbuild into one file (infra/build-front.mjs) on a non-root Node 22 runtime. The image
# holds that file and nothing else of the repository: no node_modules, no sources, no shell tools
# it needs. Kubernetes manifests: infra/k8s/ (README, "From zero to a Flyte cluster").
#
#   docker build -t flyte-connectors-front .
#   docker run -p 8000:8000 -p 9090:9090 -e AWS_REGION=us-east-1 flyte-connectors-front \
#     serve --backend lambda --host 0.0.0.0 --grpc-port 8000 --metrics-port 9090 --function-prefix flyte-connectors-prod-

FROM node:22-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# No install script is needed: build:front generates the IDL itself.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY infra/ infra/
COPY lib/ lib/
COPY functions/ functions/
RUN npm run build:front

FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only to the process: it can change nothing of its own code.
COPY --from=build /src/dist/front/front.mjs ./front.mjs
# The image's `node` user, by number, so that Kubernetes' runAsNonRoot can check it.
USER 1000:1000
# gRPC (plaintext; --tls-cert/--tls-key for TLS) and Prometheus metrics.
EXPOSE 8000 9090
ENTRYPOINT ["node", "front.mjs"]
CMD ["serve", "--backend", "lambda", "--host", "0.0.0.0", "--grpc-port", "8000", "--metrics-port", "9090"]
