# One image for the cloud side and the simulators: fleetlake-bridge, fleetlake-sink, fleetlake-console, fleetlake-sim.
#   docker build -t fleetlake:local .
#   docker run --rm fleetlake:local fleetlake-sink --help        (or: bridge --help, sim --help)
# No dependency install scripts run (npm ci --ignore-scripts), as on every Fleetlake install: the
# native packages load prebuilt binaries for linux x64/arm64 glibc — serialport (prebuilds inside
# @serialport/bindings-cpp), sharp (@img/sharp-linux-*), DuckDB (@duckdb/node-bindings-linux-*).

# --- the build context (.dockerignore leaves out node_modules, dist, tests), and its manifests
# apart: npm ci needs every workspace's package.json (the lockfile names them all), and a stage that
# copies only /manifests stays cached until a package.json or the lockfile changes.
FROM node:20-bookworm-slim AS source
WORKDIR /src
COPY . .
RUN for f in package.json package-lock.json */package.json; do \
      mkdir -p "/manifests/$(dirname "$f")" && cp "$f" "/manifests/$f"; \
    done

# --- build: all dependencies, then tsc -b for the four CLIs and what they reference (core, contracts, sink)
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY --from=source /manifests ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY --from=source /src ./
RUN npx tsc -b bridge sink simulators console

# --- runtime dependencies only (no TypeScript, vitest, eslint)
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY --from=source /manifests ./
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
COPY --from=build /app/console/dist console/dist
COPY --from=source /src/console/web console/web
COPY --from=source /src/simulators/data simulators/data
COPY --chmod=755 deploy/docker-entrypoint.sh /usr/local/bin/fleetlake
# The image's own user "node" (uid 1000); nothing in /app is writable by it.
USER node
ENTRYPOINT ["/usr/local/bin/fleetlake"]
CMD ["--help"]
