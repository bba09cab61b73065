/* Townhall widget, the reader's own part: loaded by embed.js only when used.
 *   Townhall.signIn(token)  exchanges a sign-in token the site's server signed (POST /api/v1/sso)
 *                           for a reader token kept in this browser: reloads and other tabs stay
 *                           signed in. Resolves to {ok, name} or {ok: false, code, message}.
 *   Townhall.signOut()      ends the session and forgets the token.
 *   Mute                    hides a commenter's comments in this browser (remembered here).
 *   Your data               your comments on the site, a JSON download of everything, and
 *                           erasure after the site's grace period.
 * Text is set with textContent only; nothing here inserts HTML.
 */
const STRINGS = {
  signedInAs: 'Commenting as {name}',
  verified: 'Verified',
  signInToComment: 'Sign in to comment',
  signInRequired: 'Only signed-in readers may comment on this site.',
  signedIn: 'You are signed in as {name}.',
  signedOut: 'You are signed out.',
  signOut: 'Sign out',
  mutedNote: 'You muted {name}.',
  unmute: 'Unmute',
  mutedNow: 'You muted {name}: their comments are hidden in this browser.',
  unmutedNow: 'Comments by {name} are shown again.',
  yourData: 'Your data on this site',
  whoSigned: 'Signed in as {name}.',
  whoBrowser: 'Comments posted from this browser.',
  nothing: 'This browser has not taken part here yet.',
  myComments: 'Your comments',
  noComments: 'No comments yet.',
  download: 'Download all (JSON)',
  erase: 'Erase my comments…',
  eraseWhat: 'Your comments on this site will be erased in {days} days: those with replies stay as ' +
    '"deleted", the rest go. Your votes and reports stay counted, without anything that points to you. ' +
    'You can cancel until then.',
  eraseYes: 'Erase them',
  eraseNo: 'Keep them',
  erasing: 'Your comments will be erased on {date}.',
  eraseCancel: 'Cancel the erasure',
  close: 'Close',
  mutedList: 'Muted commenters',
  status: { published: 'published', pending: 'awaiting moderation', rejected: 'not accepted', deleted: 'deleted' },
};

export default function account(X) {
  const { api, h, store, state, ui, ACTIONS, renderComment, formEl, announce } = X;
  // The catalog's translation (embed.js's S.account), then the site's own texts.
  const S = Object.assign({}, STRINGS, X.S.account, (window.Townhall && window.Townhall.accountStrings) || {});
  const t = (s, vars) => String(s).replace(/\{(\w+)\}/g, (_, k) => (vars && k in vars ? vars[k] : ''));
  const btn = (action, text, cls, key) =>
    h('button', { type: 'button', class: cls || 'th-link', 'data-action': action, 'data-key': key, text });
  const meKey = 'me:' + state.site;
  const headers = () => { const tok = store.get('token'); return tok ? { 'X-Townhall-Token': tok } : {}; };
  const muted = () => store.get('muted') || {}; // author key -> name
  let me = store.get(meKey); // {name, staff} while signed in
  const panel = h('section', { class: 'th-notice th-account', hidden: true, 'aria-label': S.yourData });
  ui.toolbar.after(panel);

  /* embed.js loads this module at start when there is something to draw: a sign-in, mutes. */
  const remember = () => store.set('acct', !!(me || Object.keys(muted()).length));
  const redrawForm = () => {
    if (state.thread && !state.thread.closed) ui.compose.replaceChildren(formEl(null));
  };
  const redrawAll = () => { for (const n of state.nodes.values()) renderComment(n); };

  X.comment = (node, look) => {
    if (state.cfg.sign_in_required && !me) {
      const reply = node.actions.querySelector('[data-action="reply"]');
      if (reply) reply.remove(); // the form at the top says how to sign in
    }
    const a = node.data.author;
    const name = a && look === 'published' && muted()[a.key];
    if (!name) return;
    node.body.hidden = true;
    node.actions.replaceChildren(h('span', { class: 'th-muted', text: t(S.mutedNote, { name }) }), ' ',
      btn('unmute', S.unmute, null, a.key));
  };

  X.form = (form) => {
    if (me) {
      for (const sel of ['.th-grid', '.th-note']) { const el = form.querySelector(sel); if (el) el.hidden = true; }
      const rem = form.querySelector('.th-check');
      if (rem) rem.hidden = true;
      form.querySelector('.th-form-title').after(h('p', { class: 'th-as' }, t(S.signedInAs, { name: me.name }), ' ',
        h('span', { class: 'th-badge th-badge-verified', text: S.verified })));
      return form;
    }
    if (!state.cfg.sign_in_required) return form;
    const url = state.cfg.login_url;
    return h('p', { class: 'th-notice th-signin' },
      url ? h('a', { href: url, text: S.signInToComment }) : S.signInRequired);
  };

  async function signIn(token) {
    const r = await api('/sso', { method: 'POST', body: { site: state.site, token: String(token || '') } });
    if (r.status !== 200) return { ok: false, code: r.data.code, message: r.data.message };
    store.set('token', r.data.token);
    me = { name: r.data.name, staff: r.data.staff };
    store.set(meKey, me);
    remember();
    redrawForm();
    redrawAll();
    syncMutes();
    announce(t(S.signedIn, { name: me.name }));
    return { ok: true, name: me.name };
  }

  async function signOut() {
    if (me) await api('/sso/signout', { method: 'POST', headers: headers() });
    store.del('token');
    store.del(meKey);
    me = null;
    remember();
    redrawForm();
    redrawAll();
    if (!panel.hidden) drawPanel();
    announce(S.signedOut);
    return { ok: true };
  }

  /* A signed-in reader's mutes live on their account too: every browser they sign in from gets them. */
  const q = () => '?' + new URLSearchParams({ site: state.site });
  const keep = (key, name) => me && api('/me/mutes/' + encodeURIComponent(key) + (name == null ? q() : ''),
    name == null ? { method: 'DELETE', headers: headers() }
      : { method: 'PUT', body: { site: state.site, name }, headers: headers() });
  async function syncMutes() {
    const r = await api('/me/mutes' + q(), { headers: headers() });
    if (r.data.code === 'sign_in_required' && me) { // the session ended elsewhere (signed out, erased)
      me = null;
      store.del(meKey);
      remember();
      redrawForm();
      redrawAll();
    }
    if (r.status !== 200) return;
    const m = muted();
    for (const k in m) if (!r.data.mutes.some((x) => x.key === k)) keep(k, m[k]);
    for (const x of r.data.mutes) m[x.key] = x.name || m[x.key] || '?';
    store.set('muted', m);
    remember();
    redrawAll();
  }

  function mute(node) {
    const a = node.data.author;
    if (!a) return;
    store.set('muted', Object.assign(muted(), { [a.key]: a.name || '?' }));
    keep(a.key, a.name || '');
    remember();
    redrawAll();
    announce(t(S.mutedNow, { name: a.name }));
  }

  function unmute(key) {
    const m = muted();
    const name = m[key];
    delete m[key];
    store.set('muted', m);
    keep(key, null);
    remember();
    redrawAll();
    if (!panel.hidden) drawPanel();
    announce(t(S.unmutedNow, { name }));
  }

  /* The "your data" panel: who this browser is here, its comments, download, erasure, mutes. */
  async function drawPanel(extra) {
    const kids = [h('h3', { text: S.yourData })];
    if (!store.get('token')) kids.push(h('p', { text: S.nothing }));
    else {
      const r = await api('/me?' + new URLSearchParams({ site: state.site }), { headers: headers() });
      const info = r.status === 200 ? r.data : {};
      if (me && !info.signed_in) { me = null; store.del(meKey); remember(); redrawForm(); }
      kids.push(h('p', {}, info.signed_in ? t(S.whoSigned, { name: info.name }) : S.whoBrowser, ' ',
        info.signed_in ? btn('sign-out', S.signOut) : null));
      kids.push(h('p', {}, btn('my-comments', S.myComments, 'th-btn'), ' ', btn('my-export', S.download, 'th-btn')));
      if (info.erasure_due) {
        kids.push(h('p', {}, t(S.erasing, { date: new Date(info.erasure_due).toLocaleString() }), ' ',
          btn('erase-cancel', S.eraseCancel)));
      } else if (extra === 'confirm') {
        kids.push(h('p', { class: 'th-confirm', text: t(S.eraseWhat, { days: state.cfg.erasure_grace_days }) }),
          h('p', {}, btn('erase-yes', S.eraseYes, 'th-btn'), ' ', btn('erase-no', S.eraseNo, 'th-btn')));
      } else kids.push(h('p', {}, btn('erase-ask', S.erase)));
      if (extra && extra.comments) kids.push(extra.comments);
    }
    const m = muted();
    if (Object.keys(m).length) {
      kids.push(h('h4', { text: S.mutedList }), h('ul', {}, Object.entries(m).map(([key, name]) =>
        h('li', {}, name + ' ', btn('unmute', S.unmute, null, key)))));
    }
    kids.push(h('p', {}, btn('account-close', S.close)));
    panel.replaceChildren(...kids);
  }

  async function myComments() {
    const r = await api('/me/comments?' + new URLSearchParams({ site: state.site }), { headers: headers() });
    const rows = (r.status === 200 && r.data.comments) || [];
    const list = rows.length ? h('ul', { class: 'th-mine' }, rows.map((c) => h('li', {},
      h('a', { href: c.url + '#comment-' + c.id, text: c.title || c.url }), ' · ',
      h('span', { class: 'th-muted',
        text: (S.status[c.status] || c.status) + ' · ' + new Date(c.created).toLocaleString() }),
      h('br'), c.excerpt))) : h('p', { text: S.noComments });
    await drawPanel({ comments: list });
  }

  async function download() {
    const r = await api('/me/export?' + new URLSearchParams({ site: state.site }), { headers: headers() });
    if (r.status !== 200) return announce(r.data.message || String(r.status));
    const blob = new Blob([JSON.stringify(r.data, null, 1)], { type: 'application/json' });
    const a = h('a', { href: URL.createObjectURL(blob), download: 'townhall-' + state.site + '-my-data.json' });
    document.body.append(a);
    a.click();
    a.remove();
  }

  async function erase() {
    const body = { site: state.site, confirm: true };
    const r = await api('/me/erasure', { method: 'POST', body, headers: headers() });
    if (r.status !== 202) announce(r.data.message || String(r.status));
    await drawPanel();
  }

  async function eraseCancel() {
    await api('/me/erasure?' + new URLSearchParams({ site: state.site }), { method: 'DELETE', headers: headers() });
    await drawPanel();
  }

  Object.assign(ACTIONS, {
    unmute: (node, el) => unmute(el.dataset.key),
    'sign-out': () => signOut(),
    'my-comments': () => myComments(),
    'my-export': () => download(),
    'erase-ask': () => drawPanel('confirm'),
    'erase-yes': () => erase(),
    'erase-no': () => drawPanel(),
    'erase-cancel': () => eraseCancel(),
    'account-close': () => { panel.hidden = true; ui.toolbar.querySelector('[data-action="account"]').focus(); },
  });

  if (me) syncMutes();

  /* A moderator's staff link (or any page) may carry a sign-in token in the fragment, which no
   * server sees: sign in with it once and take it out of the address. */
  const fromLink = /[#&]townhall-sign-in=([\w.:~-]+)/.exec(location.hash);
  if (fromLink) {
    history.replaceState(null, '', location.pathname + location.search);
    signIn(fromLink[1]).then((r) => { if (!r.ok) announce(r.message || r.code); });
  }

  return {
    signIn,
    signOut,
    mute,
    async panel() {
      panel.hidden = !panel.hidden;
      if (panel.hidden) return;
      await drawPanel();
      const head = panel.querySelector('h3');
      head.setAttribute('tabindex', '-1');
      head.focus();
    },
  };
}
