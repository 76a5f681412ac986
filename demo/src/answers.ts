import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LakeQuery, SAVED_QUERIES, tableDefs, type Row } from '@fleetlake/sink';

export interface LakeAnswers {
  lakeDir: string;
  tables: Array<{ table: string; rows: number; afterDedup: number; files: number }>;
  trip: Row | undefined;
  incidents: Row[];
  frames: { referenced: number; sample: Row[] };
}

/** Parquet (or JPEG) files below a folder. */
function countFiles(dir: string, ext: string): number {
  try {
    return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith(ext)).length;
  } catch {
    return 0;
  }
}

/**
 * What an operator asks the lake after a trip, through the same tables and dedup views as in
 * Athena (DuckDB over the local lake): rows per table, the trip summary, the incidents and the
 * frames stored.
 */
export async function askLake(lakeDir: string, deviceId: string): Promise<LakeAnswers> {
  const lake = await LakeQuery.open(lakeDir);
  try {
    const tables = [];
    for (const def of tableDefs()) {
      const { rows } = await lake.query(`SELECT (SELECT count(*) FROM fleetlake.${def.name}) AS n, (SELECT count(*) FROM fleetlake.${def.view}) AS d`);
      tables.push({ table: def.name, rows: Number(rows[0]!.n), afterDedup: Number(rows[0]!.d), files: countFiles(join(lakeDir, def.name), '.parquet') });
    }
    const span = (await lake.query(`SELECT epoch_ms(min("timestamp")) AS f, epoch_ms(max("timestamp")) AS t FROM fleetlake.gps_data_dedup WHERE deviceid = $device`, { device: deviceId })).rows[0];
    const iso = (ms: unknown) => new Date(Number(ms ?? 0)).toISOString();
    // The window's end is exclusive: one second past the last position.
    const window = { device: deviceId, from: iso(span?.f), to: iso(Number(span?.t ?? 0) + 1000) };
    const trip = span?.f != null ? (await lake.saved(SAVED_QUERIES['trip-summary']!, window)).rows[0] : undefined;
    const incidents = span?.f != null ? (await lake.saved(SAVED_QUERIES['incidents-along-trip']!, window)).rows : [];
    const frames = span?.f != null ? (await lake.saved(SAVED_QUERIES.frames!, window)).rows : [];
    return { lakeDir, tables, trip, incidents, frames: { referenced: frames.length, sample: frames.slice(0, 3) } };
  } finally {
    lake.close();
  }
}

/** The answers as text for the terminal. */
export function renderAnswers(a: LakeAnswers): string[] {
  const out = ['', `Answers from the lake (${a.lakeDir}), through the same tables and views as in Athena (times in UTC):`, '', '  table            rows  after dedup  files'];
  for (const t of a.tables) out.push(`  ${t.table.padEnd(15)}${String(t.rows).padStart(6)}${String(t.afterDedup).padStart(13)}${String(t.files).padStart(7)}`);
  out.push('');
  if (a.trip) {
    const t = a.trip;
    out.push(`  trip: ${t.deviceid} from ${t.started} to ${t.ended}: ${t.distance_km} km in ${(Number(t.duration_s) / 60).toFixed(1)} simulated minutes, ` +
      `average ${t.avg_speed_kmh} km/h (${t.points} positions)`);
  } else {
    out.push('  trip: no positions in the lake yet');
  }
  out.push(`  incidents: ${a.incidents.length}`);
  for (const i of a.incidents) out.push(`    ${i.timestamp}  ${String(i.type).padEnd(8)} ${String(i.status).padEnd(9)} at ${Number(i.latitude).toFixed(4)}, ${Number(i.longitude).toFixed(4)}  ${i.description ?? ''}`);
  out.push(`  camera frames referenced by traffic_data: ${a.frames.referenced}`);
  for (const f of a.frames.sample) out.push(`    ${f.timestamp}  ${f.snapshoturi}`);
  out.push('', `  Files: ${a.lakeDir}/<table>/dt=YYYY-MM-DD/*.parquet, frames under ${a.lakeDir}/frames/`);
  out.push(`  Ask your own: node sink/dist/cli.js query --lake ${a.lakeDir} "SELECT count(*) FROM fleetlake.gps_data_dedup"`);
  return out;
}
