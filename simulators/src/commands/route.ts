import { readFile } from 'node:fs/promises';
import { ConfigError, type Command } from '@fleetlake/core';
import { loadRoute, Route } from '../route.js';
import { buildRouteFromAnchors, type AnchorFile } from '../route-build.js';
import { Trip } from '../trip.js';

export const routeCommand: Command = {
  summary: 'show, export or build routes (GeoJSON / GPX)',
  help: `Usage: fleetlake-sim route info [ROUTE]
       fleetlake-sim route export [ROUTE] [--format geojson|gpx]
       fleetlake-sim route build ANCHORS.json [--step METRES]

info     length, vertices, speed limits, signalled junctions and the simulated trip time (seed 1)
export   the route as a GeoJSON LineString or a GPX track on stdout
build    a dense road-following route from hand-placed anchors (see simulators/data/*.anchors.json):
         a centripetal Catmull-Rom spline through every anchor, sampled every --step metres [25]

ROUTE is a built-in name (london-birmingham, the default) or a .geojson / .gpx file.

Examples:
  fleetlake-sim route info
  fleetlake-sim route export london-birmingham --format gpx > london-birmingham.gpx
  fleetlake-sim route build simulators/data/london-birmingham.anchors.json > simulators/data/london-birmingham.geojson`,
  options: { format: { type: 'string', default: 'geojson' }, step: { type: 'string', default: '25' } },
  async run({ values, positionals }) {
    const [action = 'info', arg] = positionals;
    if (action === 'build') {
      if (!arg) throw new ConfigError('route build needs an anchors file');
      const anchors = JSON.parse(await readFile(arg, 'utf8')) as AnchorFile;
      const step = Number(values.step);
      if (!(step > 0)) throw new ConfigError(`invalid --step ${JSON.stringify(values.step)}`);
      const route = Route.fromData(buildRouteFromAnchors(anchors, step));
      const extra = { description: anchors.description, provenance: anchors.provenance, license: anchors.license, builtFrom: `${anchors.name}.anchors.json, Catmull-Rom every ${step} m` };
      process.stdout.write(`${JSON.stringify(route.toGeoJson(extra))}\n`);
      return 0;
    }
    const route = await loadRoute(arg ?? 'london-birmingham');
    if (action === 'export') {
      if (values.format === 'gpx') process.stdout.write(route.toGpx());
      else if (values.format === 'geojson') process.stdout.write(`${JSON.stringify(route.toGeoJson())}\n`);
      else throw new ConfigError(`invalid --format ${JSON.stringify(values.format)} (geojson or gpx)`);
      return 0;
    }
    if (action !== 'info') throw new ConfigError(`unknown action ${JSON.stringify(action)} (info, export or build)`);
    const trip = Trip.create(route, { seed: 1, startMs: 0 });
    const limits = [...new Set(route.maxSpeedKmh)].sort((a, b) => a - b);
    process.stdout.write(
      `${JSON.stringify({ name: route.name, lengthKm: +(route.length / 1000).toFixed(3), vertices: route.vertexCount, speedLimitsKmh: limits, signals: route.signalDistances.length, tripMinutesSeed1: +(trip.durationS / 60).toFixed(1), stopsSeed1: trip.stops.length }, null, 2)}\n`,
    );
    return 0;
  },
};
