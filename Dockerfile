# One image for every role, compiled ahead: no TypeScript and no dev dependency at run time.
# The entry points (runtime/node-runtime.cjs names them; test/image.test.ts checks they agree):
#   worker     node --max-semi-space-size=8 dist/worker/main.js   (the default command)
#   projector  node dist/projections/main.js
#   bridges    node dist/bridges/main.js
#   api        node dist/api/main.js
#   migrate    node dist/cli/run.js migrate                          (before a release's roles start)
#   kafka-setup node dist/kafka/setup-main.js                     (topics and ACLs, as the cluster's admin)
# docker-compose.yml and the Helm chart (deploy/helm/homeward) pick each container's command.

# Build: every dependency, TypeScript compiled into dist/ with the workflow bundle (npm run build).
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node --require tsx/cjs tools/build.ts

# The production dependencies only.
FROM node:24-bookworm-slim AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:24-bookworm-slim
WORKDIR /app
COPY --from=dependencies /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
# How Homeward runs Node (runtime/node-runtime.cjs): the worker's malloc arenas; the compiled
# worker loads dist/workflow-bundle.js, built above, and bundles nothing at start.
ENV NODE_ENV=production MALLOC_ARENA_MAX=2
# The API listens on loopback unless told otherwise; in a container, its published port needs every
# interface. Every role answers /health/live and /health/ready on HOMEWARD_HEALTH_PORT.
ENV HTTP_HOST=0.0.0.0 HOMEWARD_HEALTH_PORT=8081
# Not root: a numeric user (Kubernetes' runAsNonRoot can check it), owning nothing in /app, so the
# root filesystem can be mounted read-only (nothing is written at run time but logs, to stdout).
USER 10001:10001
EXPOSE 8080 8081
# The image has no curl: Node asks the role's readiness probe.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HOMEWARD_HEALTH_PORT || 8081) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--max-semi-space-size=8", "dist/worker/main.js"]
