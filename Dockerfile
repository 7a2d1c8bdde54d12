# One image for every role: worker (the default command), projector, bridges and API (docker-compose.yml
# picks each service's command; scripts/node-runtime.cjs names the entry points).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# The workflow bundle, built once here rather than by every worker at start.
RUN node --require tsx/cjs scripts/bundle-workflows.ts /app/workflow-bundle.js
# How Homeward runs Node (scripts/node-runtime.cjs; test/node-runtime.test.ts checks this agrees):
# TypeScript through tsx's CommonJS hook; the worker with its memory settings.
ENV NODE_ENV=production HOMEWARD_WORKFLOW_BUNDLE=/app/workflow-bundle.js MALLOC_ARENA_MAX=2
# The API listens on loopback unless told otherwise; in a container, its published port needs every interface.
ENV HTTP_HOST=0.0.0.0
CMD ["node", "--require", "tsx/cjs", "--max-semi-space-size=8", "workers/main.ts"]
