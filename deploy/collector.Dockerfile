# The ailedger collector as a container image, built from this repository (build context: the repository root).
#   docker build -f deploy/collector.Dockerfile -t ailedger-collector .
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json tsconfig.base.json ./
COPY semantic-conventions semantic-conventions
COPY instrumentation instrumentation
COPY collector-processor collector-processor
RUN npm ci --no-audit --no-fund \
  && npm run build --workspace @ailedger/semantic-conventions --workspace @ailedger/instrumentation --workspace @ailedger/collector-processor \
  && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src /app
USER node
EXPOSE 4318 9464
ENTRYPOINT ["node", "collector-processor/dist/cli.js", "collector"]
CMD ["--config", "/etc/ailedger/ailedger.yaml"]
