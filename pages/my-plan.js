// The patient's or carer's own plan: GET /me, in the sentences the API writes (plain English, no
// codes), refreshed every few seconds. Plain DOM, values written with textContent only.
'use strict';

const $ = (id) => document.getElementById(id);
const refreshSeconds = () => Math.max(1, Number(new URLSearchParams(location.search).get('refresh')) || 15);

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

function lines(id, texts, empty) {
  $(id).replaceChildren(...(texts.length ? texts : [empty]).map((text) => element('li', text)));
}

/** A card with its sentence and, for the patient, a button that changes their mind. */
function card(title, text, action) {
  const item = element('li', undefined, 'card');
  if (title) item.append(element('h4', title));
  item.append(element('p', text));
  if (action) {
    const button = element('button', action.label);
    button.type = 'button';
    button.addEventListener('click', () => act(action));
    item.append(button);
  }
  return item;
}

async function act(action) {
  if (!confirm(action.confirm)) return;
  try {
    show(await HomewardAuth.api(action.path, { method: 'POST' }));
    $('plan-status').textContent = action.done;
  } catch (error) {
    $('plan-status').textContent = `That did not work: ${error.message}`;
  }
}

function show(plan) {
  const carer = plan.viewer === 'carer';
  $('plan-title').textContent = carer
    ? `${plan.name}'s plan for leaving hospital`
    : `Your plan for leaving hospital, ${plan.name}`;
  $('where').textContent = plan.whereYouAre;
  lines(
    'dates',
    [plan.dischargeReady, plan.expectedDischarge, plan.discharged].filter(Boolean).map((d) => d.text),
    'No dates are set yet.',
  );
  $('services').replaceChildren(
    ...(plan.services.length
      ? plan.services.map((s) => card(s.service, [s.text, s.contact].filter(Boolean).join(' ')))
      : [card(undefined, 'No support has been arranged yet.')]),
  );
  if (plan.welfareCheck) $('services').append(card('A check that you are OK', plan.welfareCheck));
  $('contact').textContent = plan.contact;
  $('phone').hidden = !plan.phone;
  if (plan.phone) {
    $('phone-link').textContent = `Call ${plan.phone}`;
    $('phone-link').href = `tel:${plan.phone.replace(/[^0-9+]/g, '')}`;
  }
  lines('payments', plan.payments, 'You do not need to pay for anything arranged so far.');
  lines('after', [plan.nextReview && plan.nextReview.text, plan.ifReadmitted].filter(Boolean));
  $('consents').replaceChildren(
    ...(plan.consents.length
      ? plan.consents.map((c) =>
          card(
            undefined,
            c.text,
            c.canWithdraw && {
              label: 'Stop sharing',
              confirm: 'Stop sharing your details with them? Your support may take longer to arrange.',
              path: `/me/consents/${encodeURIComponent(c.agency)}/withdraw`,
              done: 'You have stopped sharing your details with them.',
            },
          ),
        )
      : [card(undefined, 'Nothing has been recorded yet.')]),
  );
  $('carers-section').hidden = !plan.carers;
  if (plan.carers) {
    $('carers').replaceChildren(
      ...(plan.carers.length
        ? plan.carers.map((c) =>
            card(undefined, c.text, {
              label: 'Stop them seeing it',
              confirm: 'Stop this person seeing your plan?',
              path: `/me/carers/${encodeURIComponent(c.accessId)}/revoke`,
              done: 'They can no longer see your plan.',
            }),
          )
        : [card(undefined, 'Nobody else can see this plan.')]),
    );
  }
  $('freshness').textContent =
    `Updated ${new Date().toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })}`;
}

async function refresh() {
  show(await HomewardAuth.api('/me'));
}

function showError(error) {
  $('where').textContent =
    error.status === 403 || error.status === 404
      ? error.message
      : `Your plan cannot be shown right now: ${error.message}`;
}

let timer;
function start() {
  clearInterval(timer);
  refresh().catch(showError);
  timer = setInterval(() => HomewardAuth.signedIn() && refresh().catch(showError), refreshSeconds() * 1000);
}

document.addEventListener('DOMContentLoaded', () => HomewardAuth.mount('my-plan', start));
