// A vehicle's day or time window: the track from the lake coloured by speed, distance, duration and
// average speed, speed along the way, incidents and weather on the map, and the camera frames as a
// strip of thumbnails, each placed on the track where it was taken and opening the JPEG from the lake.

import { getBlobUrl, getJson } from './api.js';
import { count, duration, esc, fixed, time } from './format.js';
import { createMap, positionAt, speedLegend, speedTrack } from './map.js';

const WEATHER_COLOURS = { Sunny: '#f6c431', Cloudy: '#9aa5b1', Rain: '#3b7dd8', Snow: '#e6f0ff', Fog: '#c3c8cc', Storm: '#5b3f8c' };

/** An SVG line of speed over time. */
function speedChart(track, width = 900, height = 120) {
  if (track.length < 2) return '<p class="hint">Not enough positions for a speed chart.</p>';
  const t0 = track[0][0];
  const t1 = track[track.length - 1][0];
  const vmax = Math.max(10, ...track.map((p) => p[3]));
  const step = Math.max(1, Math.floor(track.length / 2000));
  const pts = [];
  for (let i = 0; i < track.length; i += step) {
    const [t, , , v] = track[i];
    pts.push(`${((t - t0) / (t1 - t0 || 1)) * width},${height - (v / vmax) * (height - 10)}`);
  }
  return `<svg class="speed-chart" viewBox="0 0 ${width} ${height}" preserveAspectRatio="none" role="img" aria-label="speed along the way">
    <polyline points="${pts.join(' ')}" fill="none" stroke="#1f6feb" stroke-width="1.5" vector-effect="non-scaling-stroke"/></svg>
    <div class="chart-axis"><span>${time(new Date(t0).toISOString())}</span><span>max ${fixed(vmax, 0)} km/h</span><span>${time(new Date(t1).toISOString())}</span></div>`;
}

function windowQuery(w) {
  return `from=${encodeURIComponent(w.from)}&to=${encodeURIComponent(w.to)}`;
}

export async function vehicleView(root, { config, params, search, navigate }) {
  const deviceId = params[0];
  const q = new URLSearchParams(search);
  const v = await getJson(`/api/vehicles/${encodeURIComponent(deviceId)}${q.toString() ? `?${q}` : ''}`);
  const s = v.summary;
  const status = v.live?.status?.status ?? 'unknown';
  const day = v.window.from.slice(0, 10);
  root.innerHTML = `<section class="vehicle" data-device="${esc(deviceId)}">
    <div class="vehicle-head">
      <h1>${esc(deviceId)} <span class="status ${status}">${status}</span></h1>
      <form class="window" id="window">
        <label>day <input type="date" name="day" value="${day}"></label>
        <span>or</span>
        <label>from <input type="text" name="from" value="${esc(v.window.from)}" size="24"></label>
        <label>to <input type="text" name="to" value="${esc(v.window.to)}" size="24"></label>
        <button type="submit">show</button>
      </form>
    </div>
    <dl class="summary" id="summary" data-points="${s.points}">
      <div><dt>positions</dt><dd>${count(s.points)}</dd></div>
      <div><dt>distance</dt><dd>${fixed(s.distanceKm, 1)} km</dd></div>
      <div><dt>duration</dt><dd>${s.points ? duration(s.durationS) : '–'}</dd></div>
      <div><dt>average speed</dt><dd>${fixed(s.avgSpeedKmh, 1)} km/h</dd></div>
      <div><dt>from</dt><dd>${esc(time(s.started))}</dd></div>
      <div><dt>to</dt><dd>${esc(time(s.ended))}</dd></div>
      <div><dt>incidents</dt><dd>${v.incidents.length}</dd></div>
      <div><dt>frames</dt><dd>${v.frames.total}</dd></div>
    </dl>
    <div id="map" class="map vehicle-map" data-view="vehicle"></div>
    <div class="legend">${speedLegend()}<span><i class="dot incident"></i>incident</span><span><i class="dot camera"></i>camera frame</span><span><i class="dot weather"></i>weather report</span></div>
    <h2>Speed along the way</h2>
    ${speedChart(v.track)}
    <h2>Camera frames <small>${v.frames.total > v.frames.shown.length ? `${v.frames.shown.length} of ${v.frames.total}, spread over the window` : v.frames.total}</small></h2>
    <div class="frames" id="frames">${v.frames.shown.length ? '' : '<p class="hint">No camera frames in this window.</p>'}</div>
    <div class="columns">
      <div><h2>Incidents</h2><table class="incidents"><thead><tr><th>time</th><th>type</th><th>status</th><th>position</th><th>description</th></tr></thead><tbody>
        ${v.incidents.map((i) => `<tr data-incident="${esc(i.incidentId)}"><td>${esc(time(i.timestamp))}</td><td>${esc(i.type)}</td><td><span class="incident-status ${esc(i.status)}">${esc(i.status)}</span></td><td>${fixed(i.latitude, 4)}, ${fixed(i.longitude, 4)}</td><td>${esc(i.description)}</td></tr>`).join('') || '<tr><td colspan="5" class="hint">none</td></tr>'}
      </tbody></table></div>
      <div><h2>Weather along the track</h2><table class="weather"><thead><tr><th>time</th><th>condition</th><th>°C</th><th>rain mm</th><th>wind km/h</th><th>humidity %</th></tr></thead><tbody>
        ${v.weather.map((w) => `<tr><td>${esc(time(w.timestamp))}</td><td><i class="swatch" style="background:${WEATHER_COLOURS[w.condition] ?? '#888'}"></i>${esc(w.condition)}</td><td>${fixed(w.temperature, 1)}</td><td>${fixed(w.precipitation, 1)}</td><td>${fixed(w.windSpeed, 0)}</td><td>${fixed(w.humidity, 0)}</td></tr>`).join('') || '<tr><td colspan="6" class="hint">none</td></tr>'}
      </tbody></table></div>
    </div>
    <div class="viewer" id="viewer" hidden><figure><img alt="camera frame"><figcaption></figcaption></figure><button type="button" class="close">close</button></div>
  </section>`;

  root.querySelector('#window').addEventListener('submit', (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const from = String(f.get('from') ?? '');
    const to = String(f.get('to') ?? '');
    const next = from !== v.window.from || to !== v.window.to ? `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}` : `day=${encodeURIComponent(String(f.get('day')))}`;
    navigate(`/vehicles/${encodeURIComponent(deviceId)}?${next}`);
  });

  const mapEl = root.querySelector('#map');
  const map = createMap(mapEl, config);
  for (const w of v.weather) {
    L.circleMarker([w.latitude, w.longitude], { radius: 2.5, weight: 0, color: '#333', fillColor: WEATHER_COLOURS[w.condition] ?? '#888', fillOpacity: 0.9, className: 'weather-marker' })
      .bindTooltip(`${esc(w.condition)}, ${fixed(w.temperature, 1)} °C, ${esc(time(w.timestamp))}`).addTo(map);
  }
  // The track over the weather reports, incidents and frames over the track.
  const { layer, drawn } = speedTrack(v.track);
  layer.addTo(map);
  mapEl.dataset.trackPoints = String(drawn);
  if (v.track.length) map.fitBounds(layer.getBounds().pad(0.1));
  for (const i of v.incidents) {
    L.circleMarker([i.latitude, i.longitude], { radius: 8, weight: 2, color: '#fff', fillColor: i.status === 'Active' ? '#d7191c' : '#8c2d04', fillOpacity: 1, className: 'incident-marker' })
      .bindPopup(`<b>${esc(i.type)}</b> (${esc(i.status)})<br>${esc(time(i.timestamp))}<br>${esc(i.description)}`).addTo(map);
  }

  // Frames: a thumbnail strip below, a camera marker on the track where each was taken.
  const viewer = root.querySelector('#viewer');
  const urls = [];
  const frameUrl = (f) => `/api/vehicles/${encodeURIComponent(deviceId)}/frames/${encodeURIComponent(f.frameId)}?${windowQuery(v.window)}`;
  const open = async (f) => {
    const img = viewer.querySelector('img');
    img.removeAttribute('src');
    img.dataset.frameId = f.frameId;
    viewer.querySelector('figcaption').textContent = `${time(f.timestamp)} · ${f.cameraId} · ${f.width}×${f.height} · ${count(f.bytes)} bytes`;
    viewer.hidden = false;
    const url = await getBlobUrl(frameUrl(f));
    urls.push(url);
    img.dataset.src = frameUrl(f);
    img.src = url;
  };
  viewer.querySelector('.close').addEventListener('click', () => (viewer.hidden = true));
  viewer.addEventListener('click', (e) => {
    if (e.target === viewer) viewer.hidden = true;
  });
  const strip = root.querySelector('#frames');
  const observer = new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (!e.isIntersecting) continue;
      observer.unobserve(e.target);
      const f = v.frames.shown[Number(e.target.dataset.index)];
      getBlobUrl(frameUrl(f)).then((url) => {
        urls.push(url);
        e.target.querySelector('img').src = url;
      }, () => e.target.classList.add('failed'));
    }
  });
  v.frames.shown.forEach((f, index) => {
    const at = positionAt(v.track, Date.parse(f.timestamp));
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'frame-thumb';
    button.dataset.frameId = f.frameId;
    button.dataset.index = String(index);
    button.innerHTML = `<img alt="frame ${esc(time(f.timestamp))}" width="120" height="${Math.round((120 * f.height) / f.width)}"><span>${esc(f.timestamp.slice(11, 19))}</span>`;
    button.addEventListener('click', () => void open(f));
    strip.appendChild(button);
    observer.observe(button);
    if (at) {
      L.circleMarker(at, { radius: 6, weight: 2, color: '#fff', fillColor: '#6f42c1', fillOpacity: 1, className: 'camera-marker' })
        .bindTooltip(`camera frame ${esc(time(f.timestamp))}`).on('click', () => void open(f)).addTo(map);
    }
  });

  return () => {
    observer.disconnect();
    for (const u of urls) URL.revokeObjectURL(u);
    map.remove();
  };
}
