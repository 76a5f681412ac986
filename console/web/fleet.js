// The fleet map: every vehicle at its latest position with its heading and status, updated live.

import { getJson } from './api.js';
import { ago, esc, fixed, time } from './format.js';
import { onLive } from './live.js';
import { createMap, vehicleIcon } from './map.js';

const newer = (a, b) => !a || Date.parse(b.timestamp) >= Date.parse(a.timestamp);

export async function fleetView(root, { config, navigate }) {
  const data = await getJson('/api/fleet');
  root.innerHTML = `<section class="fleet">
    <div id="map" class="map" data-view="fleet"></div>
    <aside class="side">
      <h1>Fleet <small id="fleet-count"></small></h1>
      <table class="vehicles"><thead><tr><th>vehicle</th><th>status</th><th>last seen</th><th>position</th><th>km/h</th></tr></thead><tbody></tbody></table>
      <p class="hint">Lake: ${esc(config.lake)}</p>
    </aside>
  </section>`;
  const map = createMap(root.querySelector('#map'), config);
  const vehicles = new Map();
  const markers = new Map();
  const tbody = root.querySelector('tbody');

  const row = (v) => {
    const p = v.position;
    const status = v.status?.status ?? 'unknown';
    return `<tr data-device="${esc(v.deviceId)}" data-status="${status}">
      <td><a href="/vehicles/${encodeURIComponent(v.deviceId)}" data-link>${esc(v.deviceId)}</a></td>
      <td><span class="status ${status}" title="${esc(v.status?.reason ?? '')}">${status}</span></td>
      <td title="${esc(time(v.lastSeen))}">${esc(ago(v.lastSeen))}</td>
      <td class="pos">${p ? `${fixed(p.latitude, 5)}, ${fixed(p.longitude, 5)}` : '–'}</td>
      <td>${p ? fixed(p.speed, 0) : '–'}</td></tr>`;
  };
  const drawTable = () => {
    const list = [...vehicles.values()].sort((a, b) => (a.deviceId < b.deviceId ? -1 : 1));
    tbody.innerHTML = list.map(row).join('');
    root.querySelector('#fleet-count').textContent = `${list.length} vehicle${list.length === 1 ? '' : 's'}`;
  };
  const place = (v) => {
    if (!v.position) return;
    let m = markers.get(v.deviceId);
    const at = [v.position.latitude, v.position.longitude];
    if (!m) {
      m = L.marker(at, { icon: vehicleIcon(v), title: v.deviceId }).addTo(map);
      m.on('click', () => navigate(`/vehicles/${encodeURIComponent(v.deviceId)}`));
      m.bindTooltip(v.deviceId, { direction: 'top', offset: [0, -12] });
      markers.set(v.deviceId, m);
    } else {
      m.setLatLng(at);
      m.setIcon(vehicleIcon(v));
    }
  };
  const take = (list) => {
    for (const v of list) {
      const known = vehicles.get(v.deviceId);
      const merged = { ...v };
      // A live position newer than the snapshot's stays.
      if (known?.position && (!v.position || !newer(known.position, v.position))) merged.position = known.position;
      vehicles.set(v.deviceId, merged);
      place(merged);
    }
  };
  take(data.vehicles);
  drawTable();
  const placed = [...vehicles.values()].filter((v) => v.position).map((v) => [v.position.latitude, v.position.longitude]);
  if (placed.length) map.fitBounds(L.latLngBounds(placed).pad(0.3), { maxZoom: 13 });

  let redraw;
  const schedule = () => (redraw ??= setTimeout(() => { redraw = undefined; drawTable(); }, 250));
  const off = onLive((type, event) => {
    if (type === 'snapshot') {
      take(event.vehicles);
      schedule();
    } else if (type === 'position') {
      const p = event.position;
      const v = vehicles.get(p.deviceId) ?? { deviceId: p.deviceId };
      if (!newer(v.position, p)) return;
      v.position = p;
      v.lastSeen = !v.lastSeen || Date.parse(p.timestamp) > Date.parse(v.lastSeen) ? p.timestamp : v.lastSeen;
      vehicles.set(p.deviceId, v);
      place(v);
      schedule();
    } else if (type === 'status') {
      const v = vehicles.get(event.deviceId) ?? { deviceId: event.deviceId };
      v.status = event.status;
      vehicles.set(event.deviceId, v);
      place(v);
      schedule();
    }
  });
  return () => {
    off();
    clearTimeout(redraw);
    map.remove();
  };
}
