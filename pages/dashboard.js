// The managers' dashboard: plain DOM, no framework. Every figure comes from the token-protected
// API (signed in by auth.js); values are written with textContent only, never as HTML.
'use strict';

/** Seconds between refreshes; `?refresh=` changes it (the browser test uses 1). Read once signed in: the address is the page's own again. */
const refreshSeconds = () => Math.max(1, Number(new URLSearchParams(location.search).get('refresh')) || 10);
const $ = (id) => document.getElementById(id);
const api = (path) => HomewardAuth.api(path);

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function emptyRow() {
  const row = element('tr');
  row.append(element('td', 'None'));
  return row;
}

function filterQuery() {
  const query = new URLSearchParams();
  for (const name of ['site', 'localAuthority']) if ($(name).value) query.set(name, $(name).value);
  return query;
}

/** Largest first: bed-days lost, then stays. */
const byBedDays = ([, a], [, b]) => b.bedDaysLost - a.bedDaysLost || b.pathways - a.pathways;

/** `order` sorts the rows; without it they keep the report's own order (bands: the natural one). */
function fillTally(table, tallies, label, order) {
  const rows = order ? Object.entries(tallies).sort(order) : Object.entries(tallies);
  table.replaceChildren();
  const head = element('tr');
  for (const title of [label, 'Stays', 'Delayed', 'Bed-days']) head.append(element('th', title));
  table.append(head);
  for (const [key, tally] of rows) {
    const row = element('tr');
    row.dataset.key = key;
    row.append(element('td', key), element('td', tally.pathways, 'n'), element('td', tally.delayed, 'n'), element('td', tally.bedDaysLost, 'n'));
    table.append(row);
  }
  if (rows.length === 0) table.append(emptyRow());
}

function keepOptions(select, keys) {
  const chosen = select.value;
  const known = new Set([...select.options].map((o) => o.value));
  for (const key of keys.sort()) if (!known.has(key)) select.append(new Option(key, key));
  select.value = chosen;
}

function pathwayLink(id) {
  const link = element('a', id);
  link.href = `#${encodeURIComponent(id)}`;
  link.addEventListener('click', (event) => {
    event.preventDefault();
    openTimeline(id).catch(showError);
  });
  return link;
}

function fillRows(tbody, pathways, cells) {
  tbody.replaceChildren();
  for (const pathway of pathways) {
    const row = element('tr');
    row.dataset.pathwayId = pathway.pathwayId;
    const first = element('td');
    first.append(pathwayLink(pathway.pathwayId));
    row.append(first, ...cells(pathway).map((value) => element('td', value)));
    tbody.append(row);
  }
  if (pathways.length === 0) tbody.append(emptyRow());
}

const reasonsOf = (p) => p.reasons.map((r) => `${r.code} (${r.agency})`).join(', ');
const stuckWhy = { referral_overdue: 'referral overdue', review_overdue: 'review overdue', no_event: 'no event' };
const since = (p) => (p.stuckReason ? `${stuckWhy[p.stuckReason.code] || p.stuckReason.code} since ${p.stuckReason.since.slice(0, 10)}` : '–');

/** Delayed patients (bars) and bed-days lost (line) per day, drawn as SVG. */
function drawTrend(days) {
  const width = 720;
  const height = 180;
  const pad = 28;
  const max = Math.max(1, ...days.map((d) => Math.max(d.delayed, d.bedDaysLost)));
  const x = (i) => pad + (i * (width - 2 * pad)) / Math.max(1, days.length);
  const y = (v) => height - pad - (v * (height - 2 * pad)) / max;
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const barWidth = Math.max(2, (width - 2 * pad) / Math.max(1, days.length) - 3);
  days.forEach((d, i) => {
    const bar = document.createElementNS(ns, 'rect');
    bar.setAttribute('x', x(i));
    bar.setAttribute('y', y(d.delayed));
    bar.setAttribute('width', barWidth);
    bar.setAttribute('height', height - pad - y(d.delayed));
    bar.setAttribute('class', 'bar');
    const title = document.createElementNS(ns, 'title');
    title.textContent = `${d.day}: ${d.delayed} delayed, ${d.bedDaysLost} bed-days lost`;
    bar.append(title);
    svg.append(bar);
  });
  const line = document.createElementNS(ns, 'polyline');
  line.setAttribute('points', days.map((d, i) => `${x(i) + barWidth / 2},${y(d.bedDaysLost)}`).join(' '));
  line.setAttribute('class', 'line');
  svg.append(line);
  for (const [value, label] of [[0, '0'], [max, String(max)]]) {
    const text = document.createElementNS(ns, 'text');
    text.setAttribute('x', 2);
    text.setAttribute('y', y(value) + 4);
    text.textContent = label;
    svg.append(text);
  }
  if (days.length) {
    for (const [i, anchor] of [[0, 'start'], [days.length - 1, 'end']]) {
      const text = document.createElementNS(ns, 'text');
      text.setAttribute('x', x(i) + (anchor === 'end' ? barWidth : 0));
      text.setAttribute('y', height - 8);
      text.setAttribute('text-anchor', anchor);
      text.textContent = days[i].day;
      svg.append(text);
    }
  }
  const legend = element('p', 'Bars: patients delayed that day. Line: bed-days lost that day.', 'legend');
  $('trend').replaceChildren(svg, legend);
}

async function refresh() {
  const query = filterQuery();
  const [report, stuck, delayed, trend] = await Promise.all([
    api(`/reports/delays?${query}`),
    api(`/pathways?${query}&stuck=true&sort=stuckSince&limit=50`),
    api(`/pathways?${query}&delayedForDays=1&sort=-daysDelayed&limit=50`),
    api(`/reports/trend?${query}&days=30`),
  ]);
  // The figures' one definition (readmodel/figures.ts): delayed now is the report's and the table's
  // below; patients with a DRD today the SitRep's, which is the trend's last day.
  $('delayed-count').textContent = report.totals.delayed;
  $('drd-count').textContent = trend.days.length ? trend.days[trend.days.length - 1].patientsWithDrd : 0;
  $('bed-days').textContent = report.totals.bedDaysLost;
  fillTally($('by-band'), report.byBand, 'Band');
  fillTally($('by-reason'), report.byReason, 'Reason', byBedDays);
  fillTally($('by-agency'), report.byAgency, 'Agency', byBedDays);
  fillTally($('by-site'), report.bySite, 'Site', byBedDays);
  keepOptions($('site'), Object.keys(report.bySite));
  keepOptions($('localAuthority'), Object.keys(report.byLocalAuthority));
  fillRows($('stuck').tBodies[0], stuck.pathways, (p) => [p.stage, p.site, p.awaitingAgencies.join(', ') || '–', reasonsOf(p), since(p)]);
  fillRows($('delayed').tBodies[0], delayed.pathways, (p) => [p.stage, p.site, p.daysDelayed, p.bedDaysLost, reasonsOf(p)]);
  drawTrend(trend.days);
  const fresh = report.freshness;
  $('freshness').textContent = `Updated ${new Date().toLocaleTimeString()} · last event ${fresh.lastEventAt ? new Date(fresh.lastEventAt).toLocaleString() : 'none yet'} · ${fresh.lagEvents} event(s) still to read`;
}

async function openTimeline(id) {
  const { timeline } = await api(`/pathways/${encodeURIComponent(id)}/timeline`);
  $('timeline-id').textContent = id;
  $('timeline').replaceChildren(
    ...timeline.map((entry) => {
      const who = entry.actor ? `${entry.actor.role}${entry.actor.agency ? ` (${entry.actor.agency})` : ''} ${entry.actor.subject}` : 'unrecorded';
      return element('li', `#${entry.sequence} ${entry.event.at} ${entry.event.type} — ${who}`);
    }),
  );
  $('timeline-panel').hidden = false;
  $('timeline-panel').scrollIntoView();
}

function showError(error) {
  $('freshness').textContent = error.message;
}

let timer;
function start() {
  clearInterval(timer);
  refresh().catch(showError);
  timer = setInterval(() => HomewardAuth.signedIn() && refresh().catch(showError), refreshSeconds() * 1000);
}

document.addEventListener('DOMContentLoaded', () => {
  $('filters').addEventListener('change', () => refresh().catch(showError));
  $('timeline-close').addEventListener('click', () => ($('timeline-panel').hidden = true));
  HomewardAuth.mount('dashboard', start);
});
