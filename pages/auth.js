// Sign-in for the staff pages: OpenID Connect authorization code flow with PKCE (S256), in the
// browser, against the trust's issuer. The access token lives in this script's memory only (never
// in storage, never in an address); what must survive the trip to the issuer and back (state,
// nonce, PKCE verifier, the page to return to) waits in sessionStorage until the code comes back.
'use strict';

window.HomewardAuth = (() => {
  const pending = 'homeward.sign-in';
  /** Set once signed in: a reload or an expired token goes back to the issuer at once (its own session answers without a prompt). */
  const signedInFlag = 'homeward.signed-in';
  let session; // { accessToken, obtainedAt, claims }
  let settingsPromise;
  let renewTimer;

  const settings = () =>
    (settingsPromise ??= fetch('/auth/settings', { headers: { accept: 'application/json' } }).then(async (response) => {
      const body = await response.json().catch(() => ({}));
      if (!response.ok) {
        settingsPromise = undefined;
        throw new Error(body.message || `Sign-in settings unavailable (HTTP ${response.status})`);
      }
      return body;
    }));

  const base64url = (bytes) =>
    btoa(String.fromCharCode(...new Uint8Array(bytes)))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
  const random = (n) => base64url(crypto.getRandomValues(new Uint8Array(n)));
  const claimsOf = (jwt) => {
    try {
      return JSON.parse(atob(jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    } catch {
      return {};
    }
  };
  const redirectUri = (s) => s.redirectUri || `${location.origin}/signed-in`;

  /** To the issuer; `page` (dashboard or board) comes back through the one redirect URI in `state`. */
  async function signIn(page, prompt) {
    const s = await settings();
    const verifier = random(48);
    const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
    const request = {
      state: `${page}.${random(24)}`,
      nonce: random(24),
      verifier,
      back: location.pathname + location.search,
    };
    sessionStorage.setItem(pending, JSON.stringify(request));
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: s.clientId,
      redirect_uri: redirectUri(s),
      scope: s.scope,
      state: request.state,
      nonce: request.nonce,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...(prompt ? { prompt } : {}),
    });
    location.assign(`${s.authorizationEndpoint}?${query}`);
    return new Promise(() => {}); // the page is leaving
  }

  /** Back from the issuer at /signed-in: the code for a token, then the page's own address again. */
  async function finishSignIn(query) {
    const request = JSON.parse(sessionStorage.getItem(pending) || 'null');
    sessionStorage.removeItem(pending);
    // The code and state leave the address bar (and the history) before anything else happens.
    history.replaceState(null, '', request?.back || location.pathname.replace('/signed-in', '/dashboard'));
    if (query.get('error'))
      throw new Error(`The sign-in was not completed: ${query.get('error_description') || query.get('error')}`);
    if (!request || query.get('state') !== request.state)
      throw new Error('This sign-in answer was not asked for by this tab: sign in again.');
    const s = await settings();
    const response = await fetch(s.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: query.get('code') || '',
        redirect_uri: redirectUri(s),
        client_id: s.clientId,
        code_verifier: request.verifier,
      }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok || !body.access_token)
      throw new Error(
        `The issuer refused the sign-in: ${body.error_description || body.error || `HTTP ${response.status}`}`,
      );
    if (body.id_token && claimsOf(body.id_token).nonce !== request.nonce)
      throw new Error('The issuer answered another sign-in (nonce): sign in again.');
    keep(body);
  }

  function keep(body) {
    const claims = claimsOf(body.access_token);
    const lifetime = Number(body.expires_in) || (claims.exp ? claims.exp - Date.now() / 1000 : 300);
    session = { accessToken: body.access_token, obtainedAt: Date.now(), claims };
    sessionStorage.setItem(signedInFlag, '1');
    clearTimeout(renewTimer);
    // A minute before it expires, ask the issuer again (its session answers without a prompt).
    renewTimer = setTimeout(() => renew(), Math.max(5, lifetime - 60) * 1000);
  }

  let currentPage = 'dashboard';
  function renew() {
    session = undefined;
    return signIn(currentPage);
  }

  /**
   * Starts the page's sign-in: finishes one coming back from the issuer, or goes to the issuer when
   * this tab was signed in before (a reload), or leaves the page to show its sign-in button.
   */
  async function start(page) {
    currentPage = page;
    const query = new URLSearchParams(location.search);
    if (location.pathname === '/signed-in') {
      await finishSignIn(query);
      return true;
    }
    if (sessionStorage.getItem(signedInFlag)) await signIn(page);
    return false;
  }

  /** An API call with the token; a refused token goes back to the issuer once, not in a loop. */
  async function api(path, init = {}) {
    if (!session) throw new Error('Not signed in');
    const response = await fetch(path, {
      ...init,
      headers: { accept: 'application/json', ...init.headers, authorization: `Bearer ${session.accessToken}` },
    });
    if (response.status === 401) {
      // A token refused within seconds of being issued will be refused again: say so rather than loop.
      const fresh = Date.now() - session.obtainedAt < 10_000;
      session = undefined;
      sessionStorage.removeItem(signedInFlag);
      if (!fresh) return renew();
      throw new Error(
        'Homeward refused the token the issuer gave: ask the service desk to check the sign-in settings.',
      );
    }
    const body = /json/.test(response.headers.get('content-type') || '')
      ? await response.json()
      : await response.text();
    if (!response.ok) {
      const error = new Error((body && body.message) || `HTTP ${response.status}`);
      error.status = response.status;
      error.body = body;
      throw error;
    }
    return body;
  }

  async function signOut() {
    session = undefined;
    clearTimeout(renewTimer);
    sessionStorage.removeItem(signedInFlag);
    const s = await settings().catch(() => undefined);
    if (s?.endSessionEndpoint) {
      location.assign(
        `${s.endSessionEndpoint}?${new URLSearchParams({ client_id: s.clientId, post_logout_redirect_uri: location.origin + location.pathname })}`,
      );
    }
  }

  /** Fills the pages' shared header and sign-in section (their HTML holds the empty elements). */
  function chrome() {
    const make = (tag, attributes = {}, text) =>
      Object.assign(document.createElement(tag), attributes, text === undefined ? {} : { textContent: text });
    const header = document.querySelector('header');
    const title = make('h1', {}, 'Homeward ');
    title.append(make('span', {}, header.dataset.title));
    const freshness = make('p', { id: 'freshness' });
    freshness.setAttribute('aria-live', 'polite');
    header.replaceChildren(
      title,
      freshness,
      make('span', { id: 'who' }),
      make('button', { id: 'sign-out', type: 'button', hidden: true }, 'Sign out'),
    );
    const error = make('p', { id: 'sign-in-error' });
    error.setAttribute('role', 'alert');
    document
      .getElementById('sign-in')
      .replaceChildren(
        make('h2', {}, 'Sign in'),
        make(
          'p',
          {},
          header.dataset.signIn ||
            "Sign in with your organisation's account (NHS Care Identity Service: smartcard or another authenticator).",
        ),
        make('button', { id: 'sign-in-button', type: 'button' }, 'Sign in'),
        error,
      );
  }

  /**
   * The header and sign-in section both pages share (#sign-in, #sign-in-button, #sign-in-error,
   * #view, #who, #sign-out): shows the page once signed in and calls `run` (which starts its refreshes).
   */
  function mount(page, run) {
    const $ = (id) => document.getElementById(id);
    chrome();
    const show = () => {
      const signedIn = Boolean(session);
      $('sign-in').hidden = signedIn;
      $('view').hidden = !signedIn;
      $('sign-out').hidden = !signedIn;
      $('who').textContent = signedIn ? `Signed in as ${session.claims.sub}` : '';
      if (signedIn) run();
    };
    const fail = (error) => {
      $('sign-in-error').textContent = error.message;
      show();
    };
    $('sign-in-button').addEventListener('click', () => signIn(page).catch(fail));
    $('sign-out').addEventListener('click', () => {
      signOut().then(show, fail);
    });
    start(page).then(show, fail);
  }

  return {
    mount,
    start,
    signIn: (page) => signIn(page),
    signOut,
    api,
    signedIn: () => Boolean(session),
    /** Who is signed in, for the header: the token's subject and roles (display only: the API checks the token). */
    who: () =>
      session ? { subject: session.claims.sub, roles: session.claims.roles, sites: session.claims.sites } : undefined,
  };
})();
