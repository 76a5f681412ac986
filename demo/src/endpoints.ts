import { scrapeMetrics, type Metrics } from '@fleetlake/console';

/** The local HTTP endpoints every Fleetlake process serves: /healthz and /metrics. */
export function httpBase(port: number): string {
  return `http://127.0.0.1:${port}`;
}

/** True when /healthz answers 2xx within a second. */
export async function healthy(port: number): Promise<boolean> {
  try {
    const res = await fetch(`${httpBase(port)}/healthz`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

/** The process's metrics, or undefined while it does not answer (stopped, restarting). */
export function scrape(port: number): Promise<Metrics | undefined> {
  return scrapeMetrics(`${httpBase(port)}/metrics`);
}
