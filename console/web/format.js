// Formatting and small DOM helpers shared by the views.

export function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** "2026-11-27 22:54:39 UTC" from an ISO time. */
export function time(iso) {
  if (!iso) return '–';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

export function ago(iso, now = Date.now()) {
  if (!iso) return '–';
  const s = Math.round((now - Date.parse(iso)) / 1000);
  // A simulated vehicle's clock may run ahead of this computer's.
  if (s < -5) return `${time(iso).slice(11)} (ahead of this clock)`;
  if (s < 0) return 'just now';
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 129600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

export function fixed(n, digits) {
  return n === undefined || n === null || Number.isNaN(Number(n)) ? '–' : Number(n).toFixed(digits);
}

export function count(n) {
  return n === undefined || n === null ? '–' : Math.round(n).toLocaleString('en-US');
}

export function duration(seconds) {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h} h ${String(m).padStart(2, '0')} min` : `${m} min ${String(s % 60).padStart(2, '0')} s`;
}

export function html(strings, ...values) {
  return strings.reduce((out, s, i) => out + s + (i < values.length ? values[i] : ''), '');
}
