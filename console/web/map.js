// The map (Leaflet, served by the console itself). With no tile URL, or tiles out of reach, the
// background stays plain and every track and marker still draws (vectors need no tiles).

const COMPASS = { North: 0, 'North-East': 45, East: 90, 'South-East': 135, South: 180, 'South-West': 225, West: 270, 'North-West': 315 };

export function headingDeg(position) {
  if (typeof position?.courseDeg === 'number') return position.courseDeg;
  return COMPASS[position?.direction] ?? 0;
}

export function createMap(element, config) {
  const map = L.map(element, { zoomSnap: 0.25, zoomControl: true, attributionControl: true });
  map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
  if (config.map.tileUrl) {
    L.tileLayer(config.map.tileUrl, { maxZoom: config.map.maxZoom, attribution: config.map.attribution }).addTo(map);
  } else {
    map.attributionControl.addAttribution('no map tiles configured');
  }
  L.control.scale({ imperial: false }).addTo(map);
  map.setView([51.5, -0.12], 6);
  return map;
}

/** A vehicle marker: an arrow pointing along its heading, coloured by its status. */
export function vehicleIcon(v) {
  const p = v.position;
  const status = v.status?.status ?? 'unknown';
  const deg = Math.round(headingDeg(p));
  return L.divIcon({
    className: 'vehicle-icon',
    iconSize: [28, 28],
    iconAnchor: [14, 14],
    html: `<div class="vehicle-marker ${status}" data-device="${v.deviceId}" data-status="${status}" data-lat="${p.latitude}" data-lon="${p.longitude}" data-seq="${p.seq ?? -1}" data-timestamp="${p.timestamp}">` +
      `<svg viewBox="0 0 28 28" width="28" height="28" style="transform: rotate(${deg}deg)"><circle cx="14" cy="14" r="11"/><path d="M14 4 L20 19 L14 15.5 L8 19 Z"/></svg></div>`,
  });
}

const SPEEDS = [[30, '#2c7bb6'], [60, '#00a6ca'], [90, '#7cc47c'], [110, '#f9a43c'], [Infinity, '#d7191c']];

export function speedColour(kmh) {
  return SPEEDS.find(([max]) => kmh < max)[1];
}

export function speedLegend() {
  let lower = 0;
  return SPEEDS.map(([max, colour]) => {
    const label = max === Infinity ? `≥ ${lower}` : `${lower}–${max}`;
    lower = max;
    return `<span><i style="background:${colour}"></i>${label} km/h</span>`;
  }).join('');
}

/**
 * The track as polylines coloured by speed: consecutive points of one colour make one line, and each
 * line starts where the one before ended. Returns the layer and how many distinct points it draws.
 */
export function speedTrack(track) {
  const group = L.featureGroup();
  let run = [];
  let colour;
  let drawn = 0;
  const flush = () => {
    if (run.length > 1) L.polyline(run, { color: colour, weight: 5, opacity: 0.9 }).addTo(group);
    drawn += run.length - (drawn ? 1 : 0);
  };
  for (const [, lat, lon, speed] of track) {
    const c = speedColour(speed);
    if (c !== colour && run.length) {
      const last = run[run.length - 1];
      flush();
      run = [last];
    }
    colour = c;
    run.push([lat, lon]);
  }
  if (run.length) flush();
  if (track.length === 1) L.circleMarker([track[0][1], track[0][2]], { radius: 4, color: colour }).addTo(group);
  return { layer: group, drawn: track.length ? drawn : 0 };
}

/** Where the vehicle was at time `ms`, along its track (interpolated between the fixes around it). */
export function positionAt(track, ms) {
  if (!track.length) return undefined;
  let lo = 0;
  let hi = track.length - 1;
  if (ms <= track[0][0]) return [track[0][1], track[0][2]];
  if (ms >= track[hi][0]) return [track[hi][1], track[hi][2]];
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (track[mid][0] <= ms) lo = mid;
    else hi = mid;
  }
  const [t0, a0, b0] = track[lo];
  const [t1, a1, b1] = track[hi];
  const f = t1 === t0 ? 0 : (ms - t0) / (t1 - t0);
  return [a0 + (a1 - a0) * f, b0 + (b1 - b0) * f];
}
