// The discharge team's board: their site's stays in hospital by stage, each with what to do next,
// and the commands they give most, sent through the same API (and so the same rules) as the CLI.
// Plain DOM, no framework; values are written with textContent only, never as HTML.
'use strict';

const $ = (id) => document.getElementById(id);
const L = HomewardLabels;
const stageOrder = ['admitted', 'assessment', 'arranging', 'ready_for_discharge'];
const refreshSeconds = () => Math.max(1, Number(new URLSearchParams(location.search).get('refresh')) || 10);
/** Dates are UTC calendar days (the domain's): shown as such, in words. */
const day = (date) =>
  date
    ? new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(
        new Date(`${date.slice(0, 10)}T00:00:00Z`),
      )
    : '–';
const label = (table, code) => (code && L[table][code]) || code || '–';
let items = [];

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function list(lines) {
  if (lines.length === 0) return element('span', 'None', 'none');
  const ul = element('ul', undefined, 'plain');
  for (const line of lines) ul.append(element('li', line));
  return ul;
}

const actionText = (next) => {
  const agency = label('agencies', next.agency);
  switch (next.code) {
    case 'record_drd':
      return 'Record the discharge ready date';
    case 'assess':
      return 'Hold the joint assessment';
    case 'record_consent':
      return `Record consent to share with ${agency}`;
    case 'rerefer':
      return `Re-refer or change the plan (${agency} declined)`;
    case 'chase_acceptance':
      return `Chase ${agency} to accept`;
    case 'chase_readiness':
      return `Chase ${agency} to be ready`;
    case 'discharge':
      return 'Record the discharge';
    default:
      return next.text;
  }
};

const referralLine = (r) =>
  `${label('services', r.service)} — ${label('agencies', r.agency)}: ${label('referralStatuses', r.status)}` +
  (r.due ? `, due ${day(r.due)}` : '') +
  (r.overdueSince ? ' (overdue)' : '') +
  (r.readyFrom ? `, from ${day(r.readyFrom)}` : '');
const reasonLine = (r) =>
  `${label('reasons', r.code)} — ${r.waitingOn === 'agency' ? label('agencies', r.agency) : label('waitingOn', r.waitingOn)}, since ${day(r.since)}`;

function stageSection(stage, rows) {
  const section = element('section', undefined, 'stage');
  section.dataset.stage = stage;
  const heading = element('h2', `${label('stages', stage)} (${rows.length})`);
  heading.id = `stage-${stage}`;
  section.setAttribute('aria-labelledby', heading.id);
  const table = element('table', undefined, 'rows');
  const head = element('tr');
  for (const title of [
    'Pathway',
    'Patient',
    'Ward',
    'Plan',
    'Ready date',
    'Days delayed',
    'Next action',
    'Referrals',
    'Consent needed',
    'Delay reasons',
    'Actions',
  ])
    head.append(element('th', title));
  const thead = element('thead');
  thead.append(head);
  const tbody = element('tbody');
  for (const item of rows) {
    const row = element('tr');
    row.dataset.pathwayId = item.pathwayId;
    const next = element('td', undefined, 'next');
    next.append(
      element('strong', actionText(item.next)),
      element('span', item.next.due ? ` by ${day(item.next.due)}` : ''),
    );
    const cells = [
      element('td', item.pathwayId),
      element('td', item.patientInitials ? `${item.patientInitials}, ${item.ageBand}` : '–'),
      element('td', item.ward || '–'),
      element('td', item.pathway || '–'),
      element('td', day(item.dischargeReadyDate)),
      element('td', item.dischargeReadyDate ? item.daysDelayed : '–', 'n'),
      next,
      element('td'),
      element('td'),
      element('td'),
      element('td'),
    ];
    cells[7].append(list(item.referrals.map(referralLine)));
    cells[8].append(list(item.consentsMissing.map((agency) => label('agencies', agency))));
    cells[9].append(list(item.reasons.map(reasonLine)));
    cells[9].classList.add('reasons');
    const button = element('button', 'Record…');
    button.type = 'button';
    button.setAttribute('aria-label', `Record for ${item.pathwayId}`);
    button.addEventListener('click', () => openCommand(item.pathwayId));
    cells[10].append(button);
    row.append(...cells);
    tbody.append(row);
  }
  if (rows.length === 0) {
    const row = element('tr');
    const cell = element('td', 'None at this stage', 'none');
    cell.colSpan = 11;
    row.append(cell);
    tbody.append(row);
  }
  table.append(thead, tbody);
  section.append(heading, table);
  return section;
}

async function refresh() {
  const site = $('site').value;
  const body = await HomewardAuth.api(`/worklist${site ? `?${new URLSearchParams({ site })}` : ''}`);
  items = body.pathways;
  const stages = [...stageOrder, ...new Set(items.map((i) => i.stage).filter((s) => !stageOrder.includes(s)))];
  $('stages').replaceChildren(
    ...stages.map((stage) =>
      stageSection(
        stage,
        items.filter((i) => i.stage === stage),
      ),
    ),
  );
  const sites = [...new Set(items.map((i) => i.site).filter(Boolean))].sort();
  const known = new Set([...$('site').options].map((o) => o.value));
  for (const s of sites) if (!known.has(s)) $('site').append(new Option(s, s));
  const delayed = items.filter((i) => i.delayedNow).length;
  $('counts').textContent = `${items.length} in hospital · ${delayed} delayed now`;
  const fresh = body.freshness;
  $('freshness').textContent =
    `Updated ${new Date().toLocaleTimeString('en-GB')} · last event ${fresh.lastEventAt ? new Date(fresh.lastEventAt).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' }) : 'none yet'}`;
}

function options(select, entries) {
  select.replaceChildren(...entries.map(([value, text]) => new Option(text, value)));
}

function showFields() {
  const command = $('command').value;
  for (const fieldset of $('command-form').querySelectorAll('fieldset'))
    fieldset.hidden = !fieldset.dataset.for.split(' ').includes(command);
}

let commandPathway;
function openCommand(pathwayId) {
  commandPathway = pathwayId;
  const item = items.find((i) => i.pathwayId === pathwayId);
  $('command-pathway').textContent = pathwayId;
  $('date').value = new Date().toISOString().slice(0, 10);
  options(
    $('referral'),
    (item ? item.referrals : []).map((r) => [
      r.referralId,
      `${r.referralId}: ${label('services', r.service)} (${label('agencies', r.agency)})`,
    ]),
  );
  $('command-panel').hidden = false;
  showFields();
  $('command').focus();
}

/** The command's body, as the API's schema for it has it (schemas/commands.ts). */
function commandBody(command) {
  const item = items.find((i) => i.pathwayId === commandPathway);
  switch (command) {
    case 'discharge-ready':
      return { date: $('date').value };
    case 'delay-reason':
      return { code: $('reason').value, agency: $('reason-agency').value };
    case 'discharge':
      return { date: $('date').value, destination: $('destination').value };
    case 'referral-response': {
      const referral = item && item.referrals.find((r) => r.referralId === $('referral').value);
      return {
        referralId: $('referral').value,
        agency: referral ? referral.agency : '',
        response: $('response').value,
        ...($('response').value === 'ready' && $('ready-from').value ? { readyFrom: $('ready-from').value } : {}),
      };
    }
    default:
      throw new Error(`Unknown command ${command}`);
  }
}

async function sendCommand(event) {
  event.preventDefault();
  const command = $('command').value;
  const what = $('command').selectedOptions[0].textContent;
  try {
    await HomewardAuth.api(`/pathways/${encodeURIComponent(commandPathway)}/${command}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(commandBody(command)),
    });
    $('command-result').textContent = `Recorded: ${what} for ${commandPathway}.`;
    $('command-panel').hidden = true;
    refresh().catch(showError);
  } catch (error) {
    $('command-result').textContent = `Not recorded: ${error.message}`;
  }
}

function showError(error) {
  $('freshness').textContent = error.message;
}

let timer;
function start() {
  clearInterval(timer);
  // The site from the address (read once signed in: the address is the page's own again).
  const site = new URLSearchParams(location.search).get('site');
  if (site && ![...$('site').options].some((o) => o.value === site)) $('site').append(new Option(site, site));
  if (site) $('site').value = site;
  refresh().catch(showError);
  timer = setInterval(() => HomewardAuth.signedIn() && refresh().catch(showError), refreshSeconds() * 1000);
}

document.addEventListener('DOMContentLoaded', () => {
  options(
    $('reason'),
    Object.entries(L.reasons).filter(([code]) => code !== 'consent_required'),
  );
  options($('reason-agency'), Object.entries(L.agencies));
  options($('destination'), Object.entries(L.destinations));
  $('site').addEventListener('change', () => {
    const query = new URLSearchParams(location.search);
    if ($('site').value) query.set('site', $('site').value);
    else query.delete('site');
    history.replaceState(null, '', `${location.pathname}${query.size ? `?${query}` : ''}`);
    refresh().catch(showError);
  });
  $('command').addEventListener('change', showFields);
  $('command-form').addEventListener('submit', (event) => sendCommand(event));
  $('command-cancel').addEventListener('click', () => ($('command-panel').hidden = true));
  HomewardAuth.mount('board', start);
});
