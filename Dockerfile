# One image for the cloud side and the simulators: fleetlake-bridge, fleetlake-sink, fleetlake-sim.
#   docker build -t fleetlake .
#   docker run --rm fleetlake fleetlake-sink --help        (or: bridge --help, sim --help)
# No dependency install scripts run (npm ci --ignore-scripts), as on every Fleetlake install: the
# native packages load prebuilt binaries for linux x64/arm64 glibc — serialport (prebuilds inside
# @serialport/bindings-cpp), sharp (@img/sharp-linux-*), DuckDB (@duckdb/node-bindings-linux-*).

# --- manifests: what npm ci needs (every workspace's package.json, since the lockfile names them all)
FROM node:20-bookworm-slim AS manifests
WORKDIR /app
COPY package.json package-lock.json ./
COPY core/package.json core/
COPY contracts/package.json contracts/
COPY testkit/package.json testkit/
COPY agent/package.json agent/
COPY bridge/package.json bridge/
COPY sink/package.json sink/
COPY simulators/package.json simulators/

# --- build: all dependencies, then tsc -b for the three CLIs and what they reference (core, contracts)
FROM manifests AS build
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.base.json ./
COPY core/ core/
COPY contracts/ contracts/
COPY bridge/ bridge/
COPY sink/ sink/
COPY simulators/ simulators/
RUN npx tsc -b bridge sink simulators

# --- runtime dependencies only (no TypeScript, vitest, eslint)
FROM manifests AS deps
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app ./
COPY --from=build /app/core/dist core/dist
COPY --from=build /app/contracts/dist contracts/dist
COPY --from=build /app/bridge/dist bridge/dist
COPY --from=build /app/sink/dist sink/dist
COPY --from=build /app/simulators/dist simulators/dist
COPY simulators/data simulators/data
COPY --chmod=755 deploy/docker-entrypoint.sh /usr/local/bin/fleetlake
# The image's own user "node" (uid 1000); nothing in /app is writable by it.
USER node
ENTRYPOINT ["/usr/local/bin/fleetlake"]
CMD ["--help"]
