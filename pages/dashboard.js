// The managers' dashboard: plain DOM, no framework. Every figure comes from the token-protected
// API (signed in by auth.js); values are written with textContent only, never as HTML. Labels come
// from the one table (schemas/labels.ts, served as labels.js); filters live in the address.
'use strict';

const $ = (id) => document.getElementById(id);
const L = HomewardLabels;
const api = (path, init) => HomewardAuth.api(path, init);
/** The filters the report and the lists take, each a select and a parameter in the address. */
const filterNames = ['site', 'localAuthority', 'reason', 'agency'];
/** Seconds between refreshes; `?refresh=` changes it (the browser test uses 1). Read once signed in: the address is the page's own again. */
const refreshSeconds = () => Math.max(1, Number(new URLSearchParams(location.search).get('refresh')) || 10);
const label = (table, code) => (code && L[table][code]) || code || '–';
/** The report's agency rows are whom a delay waits on: an agency, or the patient or family. */
L.waitsOn = { ...L.agencies, ...L.waitingOn };
/** Dates are UTC calendar days (the domain's); times are shown in the reader's own time zone. */
const day = (date) =>
  date
    ? new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(
        new Date(`${date.slice(0, 10)}T00:00:00Z`),
      )
    : '–';
const shortDay = (date) =>
  new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(
    new Date(`${date}T00:00:00Z`),
  );
const localTime = (instant) => new Date(instant).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

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
  for (const name of filterNames) if ($(name).value) query.set(name, $(name).value);
  return query;
}

/** The address says what is shown: filters and the trend's range, beside the page's own parameters. */
function keepInAddress() {
  const query = new URLSearchParams(location.search);
  for (const name of [...filterNames, 'days']) {
    const value = $(name).value;
    if (value && !(name === 'days' && value === '30')) query.set(name, value);
    else query.delete(name);
  }
  history.replaceState(null, '', `${location.pathname}${query.size ? `?${query}` : ''}`);
}

function fromAddress() {
  const query = new URLSearchParams(location.search);
  for (const name of [...filterNames, 'days']) {
    const value = query.get(name);
    if (!value) continue;
    if (![...$(name).options].some((o) => o.value === value)) $(name).append(new Option(value, value));
    $(name).value = value;
  }
}

function setFilter(name, value) {
  if (![...$(name).options].some((o) => o.value === value)) $(name).append(new Option(value, value));
  $(name).value = value;
  keepInAddress();
  refresh().catch(showError);
}

/** Largest first: bed-days lost, then stays. */
const byBedDays = ([, a], [, b]) => b.bedDaysLost - a.bedDaysLost || b.pathways - a.pathways;

/**
 * `order` sorts the rows; without it they keep the report's own order (bands: the natural one).
 * `filter`: the filter a row's key sets when chosen (a button, so a keyboard can do it too).
 */
function fillTally(table, tallies, heading, labels, order, filter) {
  const rows = order ? Object.entries(tallies).sort(order) : Object.entries(tallies);
  table.replaceChildren();
  const head = element('tr');
  for (const title of [heading, 'Stays', 'Delayed', 'Bed-days']) head.append(element('th', title));
  table.append(head);
  for (const [key, tally] of rows) {
    const row = element('tr');
    row.dataset.key = key;
    const name = element('td');
    const text = labels ? label(labels, key) : key;
    // Only an agency filters the lists (the patient and family are no agency).
    if (filter && (filter !== 'agency' || Object.hasOwn(L.agencies, key))) {
      const button = element('button', text, 'link');
      button.type = 'button';
      button.title = `Show only ${text}`;
      button.addEventListener('click', () => setFilter(filter, key));
      name.append(button);
    } else {
      name.textContent = text;
    }
    row.append(
      name,
      element('td', tally.pathways, 'n'),
      element('td', tally.delayed, 'n'),
      element('td', tally.bedDaysLost, 'n'),
    );
    table.append(row);
  }
  if (rows.length === 0) table.append(emptyRow());
}

function keepOptions(select, keys, labels) {
  const chosen = select.value;
  const known = new Set([...select.options].map((o) => o.value));
  for (const key of keys.sort()) if (!known.has(key)) select.append(new Option(labels ? label(labels, key) : key, key));
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

/** The patient as the read model keeps them: initials and an age band at admission, never the name. */
const patientOf = (p) => (p.patientInitials ? `${p.patientInitials}, ${p.ageBand}` : '–');
const reasonsOf = (p) =>
  p.reasons.map((r) => `${label('reasons', r.code)} (${label('agencies', r.agency)})`).join('; ') || '–';
/** Whom the stay waits on, once each, since the earliest of their reasons. */
function waitingOn(p) {
  const earliest = new Map();
  for (const r of p.reasons) {
    const who = r.waitingOn === 'agency' ? label('agencies', r.agency) : label('waitingOn', r.waitingOn);
    if (!earliest.has(who) || r.since < earliest.get(who)) earliest.set(who, r.since);
  }
  return [...earliest].map(([who, since]) => `${who} since ${day(since)}`).join('; ') || '–';
}
const stuckWhy = {
  referral_overdue: 'Referral overdue',
  review_overdue: 'Review overdue',
  no_event: 'Nothing recorded',
};
const since = (p) =>
  p.stuckReason ? `${stuckWhy[p.stuckReason.code] || p.stuckReason.code} since ${localTime(p.stuckReason.since)}` : '–';

/** Delayed patients (bars) and bed-days lost (line) per day, drawn as SVG with values on both axes. */
function drawTrend(days) {
  const width = 720;
  const height = 200;
  const left = 34;
  const right = 8;
  const bottom = 24;
  const top = 8;
  const ns = 'http://www.w3.org/2000/svg';
  const max = Math.max(1, ...days.map((d) => Math.max(d.delayed, d.bedDaysLost)));
  const step = Math.max(1, Math.ceil(max / 4));
  const ceiling = step * Math.ceil(max / step);
  const slot = (width - left - right) / Math.max(1, days.length);
  const barWidth = Math.max(1, slot - 2);
  const x = (i) => left + i * slot;
  const y = (v) => height - bottom - (v * (height - bottom - top)) / ceiling;
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const add = (tag, attributes, text) => {
    const node = document.createElementNS(ns, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    if (text !== undefined) node.textContent = text;
    svg.append(node);
    return node;
  };
  for (let value = 0; value <= ceiling; value += step) {
    add('line', { x1: left, x2: width - right, y1: y(value), y2: y(value), class: 'grid' });
    add('text', { x: left - 4, y: y(value) + 3, 'text-anchor': 'end', class: 'y-value' }, String(value));
  }
  const every = Math.max(1, Math.ceil(days.length / 8));
  days.forEach((d, i) => {
    const bar = add('rect', {
      x: x(i),
      y: y(d.delayed),
      width: barWidth,
      height: height - bottom - y(d.delayed),
      class: 'bar',
    });
    const title = document.createElementNS(ns, 'title');
    title.textContent = `${d.day}: ${d.delayed} delayed, ${d.bedDaysLost} bed-days lost`;
    bar.append(title);
    if ((days.length - 1 - i) % every === 0)
      add(
        'text',
        { x: x(i) + barWidth / 2, y: height - 8, 'text-anchor': 'middle', class: 'x-value' },
        shortDay(d.day),
      );
  });
  add('polyline', {
    points: days.map((d, i) => `${x(i) + barWidth / 2},${y(d.bedDaysLost)}`).join(' '),
    class: 'line',
  });
  const legend = element(
    'p',
    'Bars: patients delayed that day. Line: bed-days lost that day. Days are UTC calendar days.',
    'legend',
  );
  legend.id = 'trend-legend';
  $('trend').replaceChildren(svg, legend);
}

async function refresh() {
  const query = filterQuery();
  const days = $('days').value;
  const [report, stuck, delayed, trend] = await Promise.all([
    api(`/reports/delays?${query}`),
    api(`/pathways?${query}&stuck=true&sort=stuckSince&limit=50`),
    api(`/pathways?${query}&delayedForDays=1&sort=-daysDelayed&limit=50`),
    api(`/reports/trend?${query}&days=${days}`),
  ]);
  // The figures' one definition (readmodel/figures.ts): delayed now is the report's and the table's
  // below; patients with a DRD today the SitRep's, which is the trend's last day.
  $('delayed-count').textContent = report.totals.delayed;
  $('drd-count').textContent = trend.days.length ? trend.days[trend.days.length - 1].patientsWithDrd : 0;
  $('bed-days').textContent = report.totals.bedDaysLost;
  fillTally($('by-band'), report.byBand, 'Days delayed', 'bands');
  fillTally($('by-reason'), report.byReason, 'Reason', 'reasons', byBedDays, 'reason');
  fillTally($('by-agency'), report.byAgency, 'Waiting on', 'waitsOn', byBedDays, 'agency');
  fillTally($('by-site'), report.bySite, 'Site', undefined, byBedDays, 'site');
  keepOptions($('site'), Object.keys(report.bySite));
  keepOptions($('localAuthority'), Object.keys(report.byLocalAuthority));
  fillRows($('stuck').tBodies[0], stuck.pathways, (p) => [
    patientOf(p),
    p.ward || '–',
    label('stages', p.stage),
    p.site,
    waitingOn(p),
    reasonsOf(p),
    since(p),
  ]);
  fillRows($('delayed').tBodies[0], delayed.pathways, (p) => [
    patientOf(p),
    p.ward || '–',
    label('stages', p.stage),
    p.site,
    p.localAuthority || '–',
    day(p.dischargeReadyDate),
    p.daysDelayed,
    p.bedDaysLost,
    waitingOn(p),
    reasonsOf(p),
  ]);
  $('trend-title').textContent = `Last ${days} days`;
  drawTrend(trend.days);
  const fresh = report.freshness;
  $('freshness').textContent =
    `Updated ${new Date().toLocaleTimeString('en-GB')} · last event ${fresh.lastEventAt ? localTime(fresh.lastEventAt) : 'none yet'} · ${fresh.lagEvents} event(s) still to read`;
}

/** What an event said, in its own fields (codes and dates only: the patient's details are never shown here). */
const said = [
  'date',
  'pathway',
  'code',
  'agency',
  'service',
  'referralId',
  'response',
  'destination',
  'readyFrom',
  'kind',
  'level',
  'outcome',
  'stage',
  'needs',
];
function whatItSaid(event) {
  return said
    .filter(
      (name) =>
        Array.isArray(event[name]) ||
        (event[name] !== undefined && event[name] !== null && typeof event[name] !== 'object'),
    )
    .map((name) => {
      const value = Array.isArray(event[name]) ? event[name].join(', ') : event[name];
      const shown =
        name === 'code'
          ? label('reasons', value)
          : name === 'agency'
            ? label('agencies', value)
            : name === 'destination'
              ? label('destinations', value)
              : value;
      return `${name} ${shown}`;
    })
    .join(', ');
}
/** Who, once: the person or system, with the role only when the name does not already say it. */
function who(actor) {
  if (!actor) return 'unrecorded';
  const role = actor.agency ? label('agencies', actor.agency) : actor.role;
  return actor.subject.includes(actor.role) || actor.subject === actor.agency
    ? actor.subject
    : `${actor.subject} (${role})`;
}

async function openTimeline(id) {
  const { timeline } = await api(`/pathways/${encodeURIComponent(id)}/timeline`);
  $('timeline-id').textContent = id;
  $('timeline').replaceChildren(
    ...timeline.map((entry) => {
      const what = whatItSaid(entry.event);
      return element(
        'li',
        `#${entry.sequence} ${localTime(entry.event.at)} ${entry.event.type}${what ? ` (${what})` : ''} — ${who(entry.actor)}`,
      );
    }),
  );
  $('timeline-panel').hidden = false;
  $('timeline-panel').scrollIntoView();
}

/** A download through the secured API: the token goes in a header, never in a link. */
async function download(path, filename) {
  const text = await api(path, { headers: { accept: 'text/csv' } });
  const link = element('a');
  link.href = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

function showError(error) {
  $('freshness').textContent = error.message;
}

let timer;
function start() {
  clearInterval(timer);
  fromAddress();
  refresh().catch(showError);
  timer = setInterval(() => HomewardAuth.signedIn() && refresh().catch(showError), refreshSeconds() * 1000);
}

document.addEventListener('DOMContentLoaded', () => {
  keepOptions($('reason'), Object.keys(L.reasons), 'reasons');
  keepOptions($('agency'), Object.keys(L.agencies), 'agencies');
  $('filters').addEventListener('change', () => {
    keepInAddress();
    refresh().catch(showError);
  });
  $('clear-filters').addEventListener('click', () => {
    for (const name of filterNames) $(name).value = '';
    keepInAddress();
    refresh().catch(showError);
  });
  const today = () => new Date().toISOString().slice(0, 10);
  $('export-csv').addEventListener('click', () =>
    download(`/reports/delays?${filterQuery()}&format=csv`, `delays-${today()}.csv`).catch(showError),
  );
  $('export-sitrep').addEventListener('click', () =>
    download(`/reports/sitrep?date=${today()}`, `sitrep-${today()}.csv`).catch(showError),
  );
  $('timeline-close').addEventListener('click', () => ($('timeline-panel').hidden = true));
  HomewardAuth.mount('dashboard', start);
});
