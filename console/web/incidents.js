// Incidents at their latest report, the active ones first; new reports arrive live.

import { getJson } from './api.js';
import { esc, fixed, time } from './format.js';
import { onLive } from './live.js';

const order = (a, b) => (a.status === b.status ? Date.parse(b.timestamp) - Date.parse(a.timestamp) : a.status === 'Active' ? -1 : 1);

export async function incidentsView(root) {
  const { incidents } = await getJson('/api/incidents');
  const byId = new Map(incidents.map((i) => [i.incidentId, i]));
  root.innerHTML = `<section class="incidents-page">
    <h1>Incidents <small id="incident-count"></small></h1>
    <table class="incidents"><thead><tr><th>status</th><th>type</th><th>vehicle</th><th>time</th><th>position</th><th>description</th></tr></thead><tbody></tbody></table>
  </section>`;
  const tbody = root.querySelector('tbody');
  const draw = () => {
    const list = [...byId.values()].sort(order);
    const active = list.filter((i) => i.status === 'Active').length;
    root.querySelector('#incident-count').textContent = `${active} active, ${list.length - active} resolved`;
    tbody.innerHTML = list.map((i) => `<tr data-incident="${esc(i.incidentId)}" data-status="${esc(i.status)}">
      <td><span class="incident-status ${esc(i.status)}">${esc(i.status)}</span></td><td>${esc(i.type)}</td>
      <td><a href="/vehicles/${encodeURIComponent(i.deviceId)}?day=${i.timestamp.slice(0, 10)}" data-link>${esc(i.deviceId)}</a></td>
      <td>${esc(time(i.timestamp))}</td><td>${fixed(i.latitude, 4)}, ${fixed(i.longitude, 4)}</td><td>${esc(i.description)}</td></tr>`).join('')
      || '<tr><td colspan="6" class="hint">No incidents in the lake.</td></tr>';
  };
  draw();
  const off = onLive((type, event) => {
    if (type !== 'incident') return;
    const i = event.incident;
    const known = byId.get(i.incidentId);
    if (known && Date.parse(known.timestamp) > Date.parse(i.timestamp)) return;
    byId.set(i.incidentId, i);
    draw();
  });
  return off;
}
