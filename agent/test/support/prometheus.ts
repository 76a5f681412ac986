/** The value of one series in Prometheus text, e.g. `fleetlake_agent_captured_total{stream="gps"}`; undefined when absent. */
export function seriesValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
