#!/bin/sh
# Entrypoint of the Fleetlake image: the first argument names the CLI (fleetlake-bridge, fleetlake-sink,
# fleetlake-console, fleetlake-sim, or short: bridge, sink, console, sim); anything else runs as given (e.g. node, sh).
# exec keeps node as PID 1's replacement, so SIGTERM from `docker stop` reaches the CLI's own handler.
# The bridge and the sink run with the same node flags as their bins' shebangs (their src/cli.ts say why).
set -e
case "$1" in
  fleetlake-bridge | bridge) shift; exec node --single-threaded-gc --no-allocation-site-pretenuring /app/bridge/dist/cli.js "$@" ;;
  fleetlake-sink | sink) shift; exec node --single-threaded-gc /app/sink/dist/cli.js "$@" ;;
  fleetlake-console | console) shift; exec node /app/console/dist/cli.js "$@" ;;
  fleetlake-sim | sim) shift; exec node /app/simulators/dist/cli.js "$@" ;;
  -h | --help | "")
    echo "Usage: docker run IMAGE fleetlake-bridge|fleetlake-sink|fleetlake-console|fleetlake-sim [command] [options]"
    echo "       (each answers --help)"
    exit 0 ;;
  *) exec "$@" ;;
esac
