/* Townhall comment widget. Plain JavaScript, no framework, no build step.
 * Embed: <div id="townhall" data-site="SLUG"></div>
 *        <script defer src="https://SERVER/static/townhall/embed.js"></script>
 * Optional on the div: data-url, data-title. Every request goes to SERVER (the origin of this
 * script) and nowhere else. Untrusted text is only ever set with textContent; the one HTML
 * inserted is the comment's `html`, which the server renders from Markdown and sanitises.
 * Language: see locale(). To change texts, set window.Townhall = {strings: {...}} before this runs.
 *
 * Where things are (search for "==== NAME"):
 *   STRINGS     every text a reader sees
 *   CONSTANTS   named numbers, prefixes and formats
 *   HELPERS     h() builds elements, api() fetches, store wraps localStorage, errorText()
 *   DRAWING     relative times, identicons, the Markdown preview
 *   STATE       Widget(host): the one `state` object, and the frame every widget draws
 *   RENDER      renderComment(node): the only place a comment is drawn, in every state
 *   TREE        placing comments, pages of comments and of replies, collapsing
 *   ACTIONS     one click listener on the root runs ACTIONS[data-action] for the clicked button
 *   FORMS       reply and edit forms, the character counter, field errors
 *   PANELS      share, report and delete-confirmation panels under a comment
 *   PENDING     the reader's own comments that wait for a moderator
 *   PERMALINKS  #comment-ID loads what it needs, then scrolls there and highlights it
 *   START       timers, the first load, and what readers see when the embed is misconfigured
 */
(() => {
  'use strict';

  /* ==== STRINGS =================================================================== */

  const STRINGS = {
    comments: { zero: 'No comments yet', one: '1 comment', other: '{n} comments' },
    region: 'Comments',
    leaveReply: 'Leave a reply',
    replyTo: 'Reply to {name}',
    emailNote: 'Your email address will not be published.',
    requiredNote: 'Required fields are marked *',
    text: 'Comment',
    textHint: 'Markdown: **bold**, *italic*, `code`, [link](https://…), > quote.',
    counter: '{n} / {max}',
    counterSpoken: '{n} of {max} characters used.',
    name: 'Name',
    email: 'Email',
    website: 'Website',
    remember: 'Remember me in this browser',
    notify: 'Email me replies',
    follow: 'Follow by email',
    post: 'Post comment',
    postReply: 'Post reply',
    posting: 'Posting…',
    cancel: 'Cancel',
    preview: 'Preview',
    write: 'Write',
    previewEmpty: 'Nothing to preview.',
    previewLabel: 'Preview of your comment',
    reply: 'Reply',
    share: 'Share',
    copyLink: 'Copy link',
    copied: 'Link copied.',
    emailLink: 'Email',
    shareSubject: 'A comment on {title}',
    report: 'Report',
    reportReason: 'Reason',
    reportNote: 'Note (optional)',
    reportSend: 'Send report',
    reasons: {
      spam: 'Spam', abuse: 'Abuse or harassment', off_topic: 'Off topic',
      personal_info: 'Personal information', other: 'Something else',
    },
    reported: 'Thank you. A moderator will look at this comment.',
    edit: 'Edit',
    save: 'Save',
    delete: 'Delete',
    confirmDelete: 'Delete this comment?',
    yesDelete: 'Yes, delete',
    deleted: 'This comment was deleted.',
    deletedDone: 'Your comment was deleted.',
    held: 'This comment is awaiting moderation.',
    editLeft: 'You can edit or delete this for {t}',
    edited: 'edited',
    editedAt: 'Edited {time}',
    saved: 'Your changes were saved.',
    upvote: 'Vote up',
    downvote: 'Vote down',
    score: 'Score {n}',
    voted: 'Vote counted. Score is now {n}.',
    hide: 'Hide replies',
    show: { one: 'Show 1 reply', other: 'Show {n} replies' },
    moreReplies: 'More replies',
    loadMore: 'Load more comments',
    loading: 'Loading comments…',
    sortBy: 'Sort by',
    sorts: { oldest: 'Oldest first', newest: 'Newest first', top: 'Best first', picks: 'Picks first' },
    inReplyTo: 'in reply to',
    anonymous: 'Anonymous',
    badges: { staff: 'Staff', featured: 'Featured', verified: 'Verified' },
    mute: 'Mute',
    myData: 'Your data',
    justNow: 'just now',
    closed: 'Comments are closed on this page.',
    premoderated: 'Comments on this site are reviewed by a moderator before they appear.',
    pending: 'Your comment is awaiting moderation. Only you can see it until it is approved.',
    pendingMark: 'Awaiting moderation',
    posted: 'Your comment was published.',
    rules: 'Rules',
    notFound: 'That comment is not available.',
    focused: 'Showing a single comment.',
    showThread: 'Show it in the whole thread',
    unavailable: 'Comments are unavailable on this page.',
    failed: 'Something went wrong ({code}). Please try again.',
    network: 'Could not reach the comment server. Please try again.',
    tooFast: 'Too many requests. Please wait {s} seconds and try again.',
    tooFastUntil: 'Too many requests. Please try again at {time}.',
    slowMode: {
      one: 'This conversation is in slow mode: one reply every minute.',
      other: 'This conversation is in slow mode: one reply every {n} minutes.',
    },
    slowModePlain: 'This conversation is in slow mode.',
    replyAgainAt: 'You can reply again at {time}.',
    errors: 'Please correct the marked fields.',
    postAsIs: 'Post it as is',
    saveAsIs: 'Save it as is',
    rejected: 'Not accepted by the moderators',
  };

  /* ==== CONSTANTS ================================================================= */

  const ID_PREFIX = 'comment-'; // a comment's element id and permalink: #comment-42
  const STORE_PREFIX = 'townhall:'; // localStorage keys
  const SECOND = 1000;
  const MINUTE = 60 * SECOND;
  const DAY = 24 * 60 * MINUTE;
  const PENDING_KEEP = 7 * DAY; // a held comment is shown to its author for a week at most
  const COUNTDOWN_EVERY = SECOND; // the edit window's countdown
  const RELATIVE_EVERY = MINUTE; // "3 minutes ago"
  const ANNOUNCE_DELAY = 50; // the live region is emptied first, so a repeated message is read again
  const COUNTER_FROM = 0.8; // the character counter shows past this share of the limit
  const COUNTER_SPEAK_DELAY = SECOND; // screen readers hear the count once typing pauses
  const PERMALINK_PAGES = 10; // pages a permalink loads before it shows the comment on its own
  const PERMALINK_REPLY_PAGES = 3 * PERMALINK_PAGES;
  const RETRY_UNKNOWN = 60; // seconds, when a 429 comes without Retry-After
  const TIME_UNITS = [['year', 365 * DAY], ['month', 30 * DAY], ['week', 7 * DAY], ['day', DAY],
    ['hour', 60 * MINUTE], ['minute', MINUTE]];
  const SORTS = ['oldest', 'newest', 'top', 'picks'];
  const CSS_PATH = '/static/townhall/embed.css';
  const ACCOUNT_PATH = '/static/townhall/account.js';
  // The look of a comment (see lookOf) -> its class; "published" has none.
  const LOOK_CLASS = { deleted: 'th-deleted', held: 'th-held', pending: 'th-pending', refused: 'th-rejected' };

  const doc = document;
  const OWN = (window.Townhall && window.Townhall.strings) || {};
  const S = Object.assign({}, STRINGS, OWN);
  let hand; // Townhall.signIn / signOut (account.js) wait for the widget
  const handed = new Promise((r) => { hand = r; });
  const TH = window.Townhall = window.Townhall || {};
  for (const f of ['signIn', 'signOut']) TH[f] = (v) => handed.then((a) => a(f)(v));
  const script = doc.currentScript;
  const BASE = script ? script.src.replace(/\/static\/townhall\/embed\.js(\?.*)?$/, '') : location.origin;
  let LANG = 'en', RTF, DTF, CLOCK, NUM, PLURAL; // set by locale()

  /* ==== HELPERS =================================================================== */

  const t = (s, vars) => String(s).replace(/\{(\w+)\}/g, (_, k) => (vars && k in vars ? vars[k] : ''));
  const plural = (forms, n) =>
    t((n === 0 && forms.zero) || forms[PLURAL.select(n)] || forms.other, { n: NUM.format(n) });
  const capital = (s) => String(s).charAt(0).toUpperCase() + String(s).slice(1);
  const sentence = (s) => capital(String(s).trim()).replace(/([^.!?…])$/, '$1.');
  let uidN = 0;
  const uid = (p) => 'th-' + p + '-' + ++uidN;

  /* h('tag', {class, text, attr...}, ...children): children are nodes or plain text. No event
   * handlers here: clicks reach the widget's one listener through data-action (see ACTIONS). */
  function h(tag, attrs, ...kids) {
    const e = doc.createElement(tag);
    for (const k in attrs || {}) {
      const v = attrs[k];
      if (v == null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of kids.flat()) if (c != null && c !== false) e.append(c);
    return e;
  }
  const button = (action, cls, text, attrs) =>
    h('button', Object.assign({ type: 'button', class: cls, 'data-action': action, text }, attrs));

  const store = {
    get(k) { try { return JSON.parse(localStorage.getItem(STORE_PREFIX + k)); } catch (_) { return null; } },
    set(k, v) { try { localStorage.setItem(STORE_PREFIX + k, JSON.stringify(v)); } catch (_) { /* private mode */ } },
    del(k) { try { localStorage.removeItem(STORE_PREFIX + k); } catch (_) { /* private mode */ } },
  };

  /* Every request: {status (0 when the server could not be read), data, retry (Retry-After)}. */
  async function api(path, opts = {}) {
    const headers = Object.assign({ 'Accept-Language': LANG }, opts.headers);
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    let res;
    try {
      res = await fetch(BASE + '/api/v1' + path, {
        method: opts.method || 'GET', headers, credentials: 'omit',
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      });
    } catch (_) {
      return { status: 0, path, data: { code: 'network', message: S.network, errors: [] } };
    }
    let data = {};
    try { data = await res.json(); } catch (_) { /* empty body */ }
    return { status: res.status, path, data: data || {}, retry: res.headers.get('Retry-After') };
  }

  function errorText(r) {
    if (r.status === 0) return S.network;
    if (r.status === 429) return waitText(r);
    return r.data && r.data.message ? sentence(r.data.message) : t(S.failed, { code: r.status });
  }

  /* A 429 in words: slow mode says how often one may reply and when; the time is rounded up to
   * the minute, so a reader who waits until then is not refused again. */
  function waitText(r) {
    const d = r.data || {};
    const secs = Math.max(1, parseInt(r.retry, 10) || RETRY_UNKNOWN);
    const time = CLOCK.format(new Date(Math.ceil((Date.now() + secs * SECOND) / MINUTE) * MINUTE));
    if (d.code === 'slow_mode') {
      const m = /(\d+)\s*min/.exec(d.message || '');
      const minutes = d.slow_minutes || (m && +m[1]);
      return (minutes ? plural(S.slowMode, minutes) : S.slowModePlain) + ' ' + t(S.replyAgainAt, { time });
    }
    return secs * SECOND < MINUTE ? t(S.tooFast, { s: secs }) : t(S.tooFastUntil, { time });
  }

  async function readerToken() {
    let tok = store.get('token');
    if (!tok) {
      const r = await api('/tokens', { method: 'POST' });
      if (r.status === 201) store.set('token', (tok = r.data.token));
    }
    return tok;
  }
  const tokenHeader = () => { const tok = store.get('token'); return tok ? { 'X-Townhall-Token': tok } : {}; };

  /* The author's edit token for a comment while its edit window is open (null after). */
  function ownEdit(id) {
    const own = store.get('edit:' + id);
    if (own && new Date(own.expires) > Date.now()) return own;
    if (own) store.del('edit:' + id);
    return null;
  }

  /* data-lang, else the page's lang, else the site's: a catalog over STRINGS, and Accept-Language. */
  async function locale(host, cfg) {
    let lang = host.dataset.lang || doc.documentElement.lang || cfg.language || 'en';
    const r = !/^en\b/i.test(lang) &&
      (await fetch(BASE + '/static/townhall/i18n/' + lang.split('-')[0] + '.json').catch(() => 0));
    if (r && r.ok) Object.assign(S, await r.json(), OWN);
    else if (r !== false) lang = 'en';
    host.lang = LANG = lang;
    host.dir = S.dir || 'ltr';
    RTF = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
    DTF = new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeStyle: 'short' });
    CLOCK = new Intl.DateTimeFormat(lang, { timeStyle: 'short' });
    NUM = new Intl.NumberFormat(lang);
    PLURAL = new Intl.PluralRules(lang);
  }

  /* ==== DRAWING =================================================================== */

  function relTime(date) {
    const ms = date - Date.now();
    for (const [unit, size] of TIME_UNITS) if (Math.abs(ms) >= size) return RTF.format(Math.round(ms / size), unit);
    return S.justNow;
  }
  function timeEl(iso) {
    const d = new Date(iso);
    return h('time', { datetime: iso, title: DTF.format(d), text: relTime(d) });
  }
  function fmtLeft(ms) {
    const s = Math.max(0, Math.round(ms / SECOND));
    return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
  }

  /* An identicon drawn from the author key: a 5x5 mirrored grid in a hue taken from the key. */
  function avatar(key) {
    const NS = 'http://www.w3.org/2000/svg';
    const k = ((key || '') + '0'.repeat(32)).replace(/[^0-9a-f]/gi, '0');
    const svg = doc.createElementNS(NS, 'svg');
    const rect = (x, y, w, cls, fill) => {
      const r = doc.createElementNS(NS, 'rect');
      for (const [a, v] of [['x', x], ['y', y], ['width', w], ['height', w], ['class', cls]]) r.setAttribute(a, v);
      if (fill) r.setAttribute('fill', fill);
      svg.append(r);
    };
    for (const [a, v] of [['viewBox', '-0.5 -0.5 6 6'], ['class', 'th-av'], ['aria-hidden', 'true'],
      ['focusable', 'false']]) svg.setAttribute(a, v);
    rect(-0.5, -0.5, 6, 'th-av-bg');
    const fill = 'hsl(' + (parseInt(k.slice(0, 3), 16) % 360) + ' 55% 45%)';
    for (let y = 0; y < 5; y++) {
      for (let x = 0; x < 3; x++) {
        if (parseInt(k[3 + y * 3 + x], 16) & 1) {
          rect(x, y, 1, '', fill);
          if (x < 2) rect(4 - x, y, 1, '', fill);
        }
      }
    }
    return svg;
  }

  /* Client-side preview: the text is never parsed as HTML. Blocks and a few inline marks become
   * elements whose content is set as text. */
  function markdown(text) {
    const frag = doc.createDocumentFragment();
    for (const block of text.trim().split(/\n\s*\n/)) {
      if (!block.trim()) continue;
      const quote = /^>/.test(block);
      const p = h('p');
      (quote ? block.replace(/^> ?/gm, '') : block).split('\n').forEach((line, i) => {
        if (i) p.append(h('br'));
        inline(p, line);
      });
      frag.append(quote ? h('blockquote', null, p) : p);
    }
    return frag;
  }
  function inline(parent, s) {
    const re = /(\*\*|__)(.+?)\1|([*_])(.+?)\3|`([^`]+)`|\[([^\]]+)\]\((https?:\/\/[^)\s]+)\)|(https?:\/\/[^\s<>]+)/g;
    let last = 0;
    let m;
    while ((m = re.exec(s))) {
      parent.append(s.slice(last, m.index));
      if (m[2]) parent.append(h('strong', { text: m[2] }));
      else if (m[4]) parent.append(h('em', { text: m[4] }));
      else if (m[5]) parent.append(h('code', { text: m[5] }));
      else parent.append(h('a', { href: m[7] || m[8], rel: 'nofollow ugc noopener', text: m[6] || m[8] }));
      last = re.lastIndex;
    }
    parent.append(s.slice(last));
  }

  /* ==== STATE ===================================================================== */

  function Widget(host, cfg) {
    const canon = doc.querySelector('link[rel="canonical"]');
    const og = doc.querySelector('meta[property="og:title"]');
    const saved = store.get('sort');
    /* Everything the widget knows. Functions below read and change it; nothing else is shared. */
    const state = {
      site: host.dataset.site,
      url: host.dataset.url || (canon && canon.href) || location.href.split(/[?#]/)[0],
      title: host.dataset.title || (og && og.content) || doc.title,
      cfg: null, // GET /config: the site's public policy (max_text_length, display_depth, ...)
      thread: null, // the thread's count, closed flag and URL, from GET /threads
      sort: saved, // else the site's default_sort
      cursor: null, // the next page of top-level comments
      nodes: new Map(), // comment id -> node (see makeNode), for comments in the thread
      votes: store.get('votes') || {}, // comment id -> this browser's vote
      author: null, // name, email and website last used in this visit: a reply form starts with them
      owner: new WeakMap(), // element -> what it belongs to: article -> node, form -> its controller
      ui: null, // the frame's elements, made once below
    };
    const pendingKey = 'pending:' + state.site + '|' + state.url;
    /* account.js: sign-in, mutes, your data. It sets X.comment and X.form to draw its part. */
    const X = {};
    const account = () => state.acct || (state.acct = import(BASE + ACCOUNT_PATH).then((m) => m.default(X)));
    const acct = (f) => (v) => account().then((a) => a[f](v));

    host.classList.add('townhall');
    host.replaceChildren();
    const sortSel = h('select', { id: uid('sort'), 'data-change': 'sort' },
      SORTS.map((s) => h('option', { value: s, text: S.sorts[s] })));
    const ui = state.ui = {
      status: h('div', { class: 'th-sr', role: 'status', 'aria-live': 'polite' }),
      heading: h('h2', { class: 'th-count', id: uid('h'), tabindex: '-1', text: S.loading }),
      notices: h('div', { class: 'th-notices' }),
      compose: h('div', { class: 'th-compose' }),
      sortSel,
      toolbar: h('div', { class: 'th-toolbar' }, h('label', { for: sortSel.id, text: S.sortBy }), sortSel,
        button('follow', 'th-btn', S.follow), button('account', 'th-link', S.myData)),
      focusBox: h('div', { class: 'th-focus', hidden: true }),
      list: h('div', { class: 'th-list' }),
      more: button('load-more', 'th-btn th-loadmore', S.loadMore, { hidden: true }),
    };
    ui.root = h('section', { class: 'th-root', 'aria-labelledby': ui.heading.id },
      ui.heading, ui.status, ui.notices, ui.compose, ui.toolbar, ui.focusBox, ui.list, ui.more);
    host.append(ui.root);

    const announce = (msg) => {
      ui.status.textContent = '';
      setTimeout(() => { ui.status.textContent = msg; }, ANNOUNCE_DELAY);
    };
    const setCount = () => { ui.heading.textContent = plural(S.comments, state.thread.count); };
    const nodeOf = (el) => state.owner.get(el && el.closest('.th-c'));

    /* A node is one comment on screen: `data` as the API sent it, `local` for what only this
     * browser knows (its own held text, a moderator's outcome, an open editor), and the elements
     * that stay while renderComment redraws the rest. */
    function makeNode(data, local) {
      const el = h('article', { class: 'th-c', id: ID_PREFIX + data.id, tabindex: '-1' });
      const node = {
        data, el,
        local: Object.assign({ held: false, text: null, outcome: null, editing: false }, local),
        main: h('div', { class: 'th-main' }),
        panels: h('div', { class: 'th-panels' }), // reply and edit forms, share, report, confirmations
        list: h('div', { class: 'th-replies', id: uid('r') }),
        toggle: button('toggle', 'th-link th-toggle', '', { 'aria-expanded': 'true' }),
        expanded: true,
        cursor: data.replies_cursor || null, // more replies in this subtree
        more: null,
      };
      node.toggle.setAttribute('aria-controls', node.list.id);
      el.append(node.main, node.list);
      state.owner.set(el, node);
      return node;
    }

    /* ==== RENDER ==================================================================== */

    /* A held parent comes from the API as a placeholder, so that its published replies stay
     * readable under it. */
    const isPlaceholder = (c) => !!c.placeholder || c.status === 'held' || c.status === 'pending';

    /* published; deleted (kept for its replies); held (a placeholder for a parent awaiting
     * moderation); pending (this reader's own, waiting for a moderator); refused (it was pending,
     * then a moderator rejected or deleted it). */
    function lookOf(node) {
      if (node.local.outcome) return 'refused';
      if (node.local.held) return 'pending';
      if (node.data.status === 'deleted') return 'deleted';
      if (isPlaceholder(node.data)) return 'held';
      return 'published';
    }

    /* Draws one comment from node.data and node.local, in every state. Its replies and open
     * panels stay; keyboard focus on one of its buttons stays on the same button. */
    function renderComment(node) {
      const c = node.data;
      const look = lookOf(node);
      const blank = look === 'deleted' || look === 'held'; // no author and no text to show
      const a = blank ? null : c.author;
      const name = blank ? '' : (a && a.name) || S.anonymous;
      const refocus = focusedButton(node);
      for (const k in LOOK_CLASS) node.el.classList.toggle(LOOK_CLASS[k], k === look);
      node.el.setAttribute('aria-label', name || (look === 'held' ? S.pendingMark : S.deleted));

      const website = a && a.website && /^https?:\/\//i.test(a.website) ? a.website : null;
      const mark = look === 'pending' ? S.pendingMark : look === 'refused'
        ? (node.local.outcome === 'rejected' ? S.rejected : S.deleted) : null;
      const header = h('div', { class: 'th-head' },
        blank ? null : website
          ? h('a', { class: 'th-name', dir: 'auto', href: website, rel: 'nofollow ugc noopener noreferrer',
            target: '_blank', text: name })
          : h('b', { class: 'th-name', dir: 'auto', text: name }),
        blank ? null : (c.badges || []).map((b) =>
          h('span', { class: 'th-badge th-badge-' + b, text: S.badges[b] || b })),
        h('a', { class: 'th-perma', href: '#' + ID_PREFIX + c.id }, timeEl(c.created)),
        c.edited && !blank && h('span', { class: 'th-edited', text: S.edited,
          title: t(S.editedAt, { time: DTF.format(new Date(c.edited)) }) }),
        mark && h('span', { class: 'th-pmark', text: mark }),
        c.in_reply_to && h('span', { class: 'th-irt' }, S.inReplyTo + ' ',
          h('a', { href: '#' + ID_PREFIX + c.in_reply_to.id, dir: 'auto', text: c.in_reply_to.name || S.anonymous })));

      const body = h('div', { class: 'th-body', dir: 'auto', hidden: node.local.editing });
      if (blank) body.append(h('p', { class: 'th-muted', text: look === 'held' ? S.held : S.deleted }));
      else if (node.local.text != null) body.append(markdown(node.local.text)); // not sent by the server yet
      else body.innerHTML = c.html || ''; // server-sanitised HTML: the only HTML this widget inserts

      const actions = h('div', { class: 'th-actions', hidden: node.local.editing });
      if (look === 'published') {
        const score = c.score || 0;
        const vote = (v) => button('vote', 'th-vote', v > 0 ? '▲' : '▼', { 'data-value': v,
          'aria-label': v > 0 ? S.upvote : S.downvote, 'aria-pressed': String(state.votes[c.id] === v) });
        const open = (cls) => String(!!node.panels.querySelector(':scope > .' + cls));
        actions.append(h('span', { class: 'th-votes' },
          vote(1), h('span', { class: 'th-score', text: String(score), title: t(S.score, { n: score }) }), vote(-1)));
        if (!state.thread || !state.thread.closed) actions.append(button('reply', 'th-link', S.reply));
        actions.append(button('share', 'th-link', S.share, { 'aria-expanded': open('th-share') }),
          button('report', 'th-link', S.report, { 'aria-expanded': open('th-report') }),
          button('mute', 'th-link', S.mute));
      }
      const own = (look === 'published' || look === 'pending') && ownEdit(c.id);
      if (own) {
        actions.append(button('edit', 'th-link', S.edit), button('delete', 'th-link', S.delete),
          h('span', { class: 'th-left', 'data-expires': own.expires,
            text: t(S.editLeft, { t: fmtLeft(new Date(own.expires) - Date.now()) }) }));
      }
      drawToggle(node);
      if (!node.toggle.hidden) actions.append(node.toggle);

      node.main.replaceChildren(blank ? h('span', { class: 'th-av th-av-none' })
        : a && a.avatar ? h('img', { class: 'th-av', src: BASE + a.avatar, alt: '' }) : avatar(a && a.key),
        h('div', { class: 'th-content' }, header, body, actions, node.panels));
      node.body = body;
      node.actions = actions;
      const again = refocus && actions.querySelector(refocus);
      if (again) again.focus();
      if (X.comment) X.comment(node, look);
    }

    /* The collapse button: there when the comment has replies on screen. */
    function drawToggle(node) {
      const n = node.list.querySelectorAll('.th-c').length;
      node.toggle.hidden = !n;
      if (n && node.actions && !node.toggle.isConnected) node.actions.append(node.toggle);
      node.list.hidden = !!n && !node.expanded;
      node.toggle.setAttribute('aria-expanded', String(node.expanded));
      node.toggle.textContent = node.expanded ? S.hide : plural(S.show, n);
    }

    /* A selector for the focused action button of this comment, to focus it again after a redraw. */
    function focusedButton(node) {
      const f = doc.activeElement;
      if (!f || !f.dataset || !f.dataset.action || !node.actions || !node.actions.contains(f)) return null;
      const value = f.dataset.value ? '[data-value="' + f.dataset.value + '"]' : '';
      return '[data-action="' + f.dataset.action + '"]' + value;
    }

    /* ==== TREE ====================================================================== */

    /* A comment with the replies the API sent along, registered in state.nodes. */
    function commentTree(c, local) {
      const node = makeNode(c, local);
      state.nodes.set(c.id, node);
      for (const r of c.replies || []) node.list.append(commentTree(r).el);
      if (node.cursor) {
        node.more = button('more-replies', 'th-btn th-more', S.moreReplies);
        node.list.append(node.more);
      }
      renderComment(node);
      return node;
    }

    /* Where a comment goes: under its parent; a flattened one (past the display depth) beside
     * its parent, in the list of the deepest displayed ancestor. */
    function place(c, first, local) {
      const parent = state.nodes.get(c.parent);
      const el = commentTree(c, local).el;
      let target = parent ? parent.list : ui.list;
      if (parent && c.in_reply_to && parent.data.level >= c.level) {
        // Flat: after the parent and the part of its subtree already shown (reading order).
        target = parent.el.parentNode;
        let after = parent.el;
        const ids = new Set([c.parent]);
        for (let n = after.nextElementSibling; n && n.matches('.th-c'); n = n.nextElementSibling) {
          const d = state.owner.get(n);
          if (!d || !ids.has(d.data.parent)) break;
          ids.add(d.data.id);
          after = n;
        }
        after.after(el);
      } else {
        target.insertBefore(el, target.querySelector(first ? ':scope > .th-c' : ':scope > .th-more'));
      }
      for (let up = target.closest('.th-c'); up; up = up.parentNode.closest('.th-c')) {
        const n = state.owner.get(up);
        if (n) drawToggle(n);
      }
      return el;
    }

    async function loadReplies(node) {
      node.more.disabled = true;
      const r = await api('/comments/' + node.data.id + '/replies?' + new URLSearchParams({ cursor: node.cursor }));
      node.more.disabled = false;
      if (r.status !== 200) { note(node, errorText(r)); return false; }
      for (const c of r.data.replies) if (!state.nodes.has(c.id)) place(c, false);
      node.cursor = r.data.cursor;
      if (node.cursor) node.list.append(node.more);
      else { node.more.remove(); node.more = null; }
      showPending();
      return true;
    }

    async function loadPage() {
      ui.more.disabled = true;
      const query = { site: state.site, url: state.url, sort: state.sort };
      if (state.cursor) query.cursor = state.cursor;
      const r = await api('/threads?' + new URLSearchParams(query));
      ui.more.disabled = false;
      if (r.status !== 200) {
        if (state.thread) announce(errorText(r));
        else unavailable(r);
        return false;
      }
      state.thread = r.data.thread;
      setCount();
      for (const c of r.data.comments) if (!state.nodes.has(c.id)) ui.list.append(commentTree(c).el);
      state.cursor = r.data.cursor;
      ui.more.hidden = !state.cursor;
      showPending();
      extras(r.data);
      return true;
    }

    /* extras.js (it sets s.x): quote marks, conversations, picks; loaded only if needed. */
    function extras(d) {
      if (!state.x && (d.picks[0] || d.conversations[0] || d.thread.quotes || !d.thread.article)) {
        const s = doc.head.appendChild(h('script', { src: BASE + '/static/townhall/extras.js' }));
        state.x = new Promise((ok) => {
          s.onload = () => ok(s.x({ state, api, announce, loadReplies, host, ACTIONS, S, h }));
        });
      }
      if (state.x) state.x.then((x) => x.page(d));
    }

    async function load() {
      state.nodes.clear();
      ui.list.replaceChildren();
      state.cursor = null;
      const first = !state.thread;
      if (!(await loadPage())) return false;
      if (first) {
        renderNotices();
        ui.compose.replaceChildren(...(state.thread.closed ? [] : [formEl(null)]));
      } else announce(ui.heading.textContent);
      await followHash();
      return true;
    }

    function renderNotices() {
      ui.notices.replaceChildren();
      if (state.thread.closed) ui.notices.append(h('p', { class: 'th-notice', text: S.closed }));
      else if (state.cfg.premoderate) ui.notices.append(h('p', { class: 'th-notice', text: S.premoderated }));
    }

    /* ==== ACTIONS =================================================================== */

    /* Every button says what it does in data-action; the comment it acts on is the article
     * around it, and a form's buttons act on the form's controller. */
    const formOf = (el) => state.owner.get(el.closest('form'));
    const ACTIONS = {
      vote: (node, el) => castVote(node, +el.dataset.value),
      reply: (node) => openReply(node),
      share: (node) => openShare(node),
      report: (node) => openReport(node),
      edit: (node) => openEdit(node),
      delete: (node) => confirmDelete(node),
      'delete-yes': (node) => deleteComment(node),
      'delete-no': (node) => closePanel(node, 'th-confirm'),
      toggle: (node) => { node.expanded = !node.expanded; drawToggle(node); },
      'more-replies': (node) => loadReplies(node),
      'load-more': () => loadPage(),
      // Following by mail is its own module, fetched only when a reader asks (follow.js).
      follow: (node, el) => import(BASE + '/static/townhall/follow.js')
        .then((m) => m.open(el, { api, h, errorText, S, state })),
      'show-thread': () => followHash(null, true),
      'copy-link': (node, el) => copyLink(el),
      preview: (node, el) => formOf(el).preview(),
      'send-as-is': (node, el) => formOf(el).send(true),
      mute: acct('mute'),
      account: acct('panel'),
      cancel: (node, el) => formOf(el).cancel(),
    };
    ui.root.addEventListener('click', (e) => {
      const el = e.target.closest('[data-action]');
      if (el && !el.disabled && ui.root.contains(el)) ACTIONS[el.dataset.action](nodeOf(el), el);
    });
    ui.root.addEventListener('submit', (e) => {
      const ctl = state.owner.get(e.target);
      if (ctl) { e.preventDefault(); ctl.send(false); }
    });
    ui.root.addEventListener('input', (e) => { if (e.target.dataset.counter) updateCounter(e.target); });
    ui.root.addEventListener('change', (e) => {
      if (e.target !== sortSel) return;
      state.sort = sortSel.value;
      store.set('sort', state.sort);
      load();
    });

    /* A failure shown where it happened (and announced), not only in the hidden live region. */
    function note(node, msg) {
      let n = node.actions.querySelector('.th-err');
      if (!n) node.actions.append((n = h('span', { class: 'th-err' })));
      n.textContent = msg;
      announce(msg);
    }

    async function castVote(node, v) {
      const id = node.data.id;
      const value = state.votes[id] === v ? 0 : v;
      await readerToken();
      const r = await api('/comments/' + id + '/votes', { method: 'POST', body: { value }, headers: tokenHeader() });
      if (r.status !== 200) return note(node, errorText(r));
      state.votes[id] = value;
      store.set('votes', state.votes);
      Object.assign(node.data, { score: r.data.score, upvotes: r.data.upvotes, downvotes: r.data.downvotes });
      renderComment(node);
      announce(t(S.voted, { n: r.data.score }));
    }

    function openReply(node) {
      const old = node.panels.querySelector(':scope > .th-form');
      if (old) { old.querySelector('textarea').focus(); return; }
      const f = formEl(node);
      node.panels.append(f);
      f.querySelector('textarea').focus();
    }

    /* ==== FORMS ===================================================================== */

    /* The comment form: at the top (parentNode null) or inline under a comment. Its controller
     * (send, preview, cancel) is what ACTIONS and the submit listener call. */
    function formEl(parentNode) {
      const cfg = state.cfg;
      const remembered = store.get('author') || state.author;
      const fields = {};
      const field = (key, label, input, required, hint, extra) => {
        input.id = uid(key);
        input.name = key;
        input.className = 'th-input';
        const err = h('p', { class: 'th-err', id: uid('err'), hidden: true });
        const hintEl = hint ? h('p', { class: 'th-hint', id: uid('hint'), text: hint }) : null;
        if (required) input.setAttribute('aria-required', 'true');
        if (hintEl) input.setAttribute('aria-describedby', hintEl.id);
        fields[key] = [input, err, hintEl, label];
        return h('div', { class: 'th-field th-f-' + key },
          h('label', { for: input.id }, label,
            required ? h('span', { class: 'th-req', 'aria-hidden': 'true', text: ' *' }) : null),
          input, extra, hintEl, err);
      };
      const ta = h('textarea', { rows: parentNode ? '4' : '5' });
      const preview = h('div', { class: 'th-preview th-body', hidden: true, tabindex: '-1',
        'aria-label': S.previewLabel });
      const pvBtn = button('preview', 'th-link', S.preview, { 'aria-pressed': 'false' });
      const name = h('input', { type: 'text', autocomplete: 'name', maxlength: '100' });
      const email = h('input', { type: 'email', autocomplete: 'email', maxlength: '254' });
      const website = h('input', { type: 'url', autocomplete: 'url', maxlength: '200' });
      const remember = h('input', { type: 'checkbox', id: uid('rem') });
      const notify = h('input', { type: 'checkbox', id: uid('notify') });
      if (remembered) {
        name.value = remembered.name || '';
        email.value = remembered.email || '';
        website.value = remembered.website || '';
        remember.checked = true;
      }
      const formErr = h('p', { class: 'th-err th-form-err', role: 'alert' });
      const formOk = h('p', { class: 'th-ok' });
      const label = () => (parentNode ? S.postReply : S.post);
      const submit = h('button', { type: 'submit', class: 'th-btn th-primary', text: label() });
      const asIs = button('send-as-is', 'th-btn', S.postAsIs, { hidden: true });
      const parentName = parentNode && ((parentNode.data.author && parentNode.data.author.name) || S.anonymous);
      const legendText = parentNode ? t(S.replyTo, { name: parentName }) : S.leaveReply;
      const form = h('form', { class: 'th-form', novalidate: true, 'aria-label': legendText },
        h('h3', { class: 'th-form-title', text: legendText }),
        !parentNode && cfg.rules
          ? h('div', { class: 'th-rules' }, h('strong', { text: S.rules + ': ' }), h('bdi', { text: cfg.rules }))
          : null,
        h('p', { class: 'th-note' }, S.emailNote + ' ', h('span', { text: S.requiredNote })),
        field('text', S.text, ta, true, S.textHint, counter(ta)),
        h('div', { class: 'th-row' }, pvBtn),
        preview,
        h('div', { class: 'th-grid' },
          field('author_name', S.name, name, cfg.require_name),
          field('author_email', S.email, email, cfg.require_email),
          field('author_website', S.website, website, false)),
        h('div', { class: 'th-row' },
          h('span', { class: 'th-check' }, remember, h('label', { for: remember.id, text: S.remember })),
          h('span', { class: 'th-check' }, notify, h('label', { for: notify.id, text: S.notify }))),
        formErr, formOk,
        h('div', { class: 'th-row' }, submit, asIs, parentNode ? button('cancel', 'th-btn', S.cancel) : null));

      const ctl = {
        preview() {
          const on = preview.hidden;
          const empty = h('p', { class: 'th-muted', text: S.previewEmpty });
          preview.replaceChildren(ta.value.trim() ? markdown(ta.value) : empty);
          preview.hidden = !on;
          ta.hidden = on;
          pvBtn.setAttribute('aria-pressed', String(on));
          pvBtn.textContent = on ? S.write : S.preview;
          (on ? preview : ta).focus();
        },
        cancel() {
          form.remove();
          const back = parentNode.actions.querySelector('[data-action="reply"]');
          if (back) back.focus();
        },
        async send(ack) {
          state.author = { name: name.value, email: email.value, website: website.value };
          if (remember.checked) store.set('author', state.author);
          else store.del('author');
          submit.disabled = true;
          submit.textContent = S.posting;
          const body = {
            site: state.site, url: state.url, title: state.title, parent: parentNode ? parentNode.data.id : null,
            text: ta.value, author_name: name.value, author_email: email.value, author_website: website.value,
            notify: notify.checked, acknowledge_warning: ack,
          };
          await readerToken(); // ties the comment to this browser: "my comments", no self-votes
          const r = await api('/comments', { method: 'POST', body, headers: tokenHeader() });
          submit.disabled = false;
          submit.textContent = label();
          formOk.textContent = '';
          asIs.hidden = true;
          if (r.status !== 201 && r.status !== 202) { asIs.hidden = !showErrors(fields, formErr, r); return; }
          clearErrors(fields, formErr);
          formOk.textContent = r.status === 201 ? S.posted : S.pending;
          // The window counted on this browser's clock (the server's may differ), never past it.
          const expires = new Date(Math.min(Date.now() + cfg.edit_window_minutes * MINUTE,
            Date.parse(r.data.edit_expires) || Infinity));
          if (r.data.edit_token) {
            const own = { token: r.data.edit_token, expires: expires.toISOString(), text: ta.value };
            store.set('edit:' + r.data.id, own);
          }
          let el;
          if (r.status === 201) {
            state.thread.count += 1;
            setCount();
            el = place(r.data.comment, !parentNode && (state.sort !== 'oldest' || state.cursor));
            announce(S.posted);
          } else {
            const pend = store.get(pendingKey) || [];
            pend.push({ id: r.data.id, parent: body.parent, text: ta.value, name: name.value,
              created: new Date().toISOString() });
            store.set(pendingKey, pend);
            el = showPending(r.data.id);
            announce(S.pending);
          }
          ta.value = '';
          updateCounter(ta);
          if (!preview.hidden) ctl.preview();
          if (parentNode) form.remove();
          if (el) { el.scrollIntoView({ block: 'nearest' }); el.focus({ preventScroll: true }); }
        },
      };
      state.owner.set(form, ctl);
      return (X.form && X.form(form, parentNode)) || form;
    }

    /* The author's editor, in place of the comment's text. */
    function openEdit(node) {
      const own = ownEdit(node.data.id);
      const open = node.panels.querySelector(':scope > .th-edit-form');
      if (open || !own) { if (open) open.querySelector('textarea').focus(); return; }
      const ta = h('textarea', { id: uid('edit'), class: 'th-input', rows: '5' });
      ta.value = own.text || node.body.textContent.trim();
      const err = h('p', { class: 'th-err', id: uid('err'), hidden: true });
      const formErr = h('p', { class: 'th-err th-form-err', role: 'alert' });
      const asIs = button('send-as-is', 'th-btn', S.saveAsIs, { hidden: true });
      const form = h('form', { class: 'th-edit-form', novalidate: true },
        h('label', { for: ta.id, text: S.text }), ta, counter(ta), err, formErr,
        h('div', { class: 'th-row' }, h('button', { type: 'submit', class: 'th-btn th-primary', text: S.save }), asIs,
          button('cancel', 'th-btn', S.cancel)));
      const close = () => { form.remove(); node.local.editing = false; renderComment(node); };
      state.owner.set(form, {
        cancel() { close(); node.el.focus(); },
        async send(ack) {
          const r = await api('/comments/' + node.data.id, { method: 'PATCH',
            body: { text: ta.value, acknowledge_warning: ack }, headers: { 'X-Townhall-Edit-Token': own.token } });
          if (r.status !== 200 && r.status !== 202) {
            asIs.hidden = !showErrors({ text: [ta, err, null, S.text] }, formErr, r);
            return;
          }
          own.text = ta.value;
          store.set('edit:' + node.data.id, own);
          if (r.data.comment) {
            Object.assign(node.data, r.data.comment);
            Object.assign(node.local, { text: null, held: false });
          } else { // held for a moderator again: only its author sees it, as they wrote it
            Object.assign(node.local, { text: ta.value, held: true });
            const pend = (store.get(pendingKey) || []).filter((p) => p.id !== node.data.id);
            pend.push({ id: node.data.id, parent: node.data.parent, text: ta.value,
              name: (node.data.author || {}).name, created: node.data.created });
            store.set(pendingKey, pend);
          }
          close();
          announce(r.status === 202 ? S.pending : S.saved);
          node.el.focus();
        },
      });
      node.local.editing = true;
      node.panels.prepend(form);
      renderComment(node);
      updateCounter(ta);
      ta.focus();
    }

    /* The character counter of a text field: visible past COUNTER_FROM of the site's limit, and
     * spoken (politely, once typing pauses) to screen readers. */
    function counter(ta) {
      const max = state.cfg.max_text_length;
      if (!(max > 0)) return null;
      ta.maxLength = max;
      ta.dataset.counter = '1';
      const shown = h('p', { class: 'th-counter', 'aria-hidden': 'true', hidden: true });
      const spoken = h('p', { class: 'th-sr th-counter-sr', 'aria-live': 'polite' });
      state.owner.set(ta, { shown, spoken, timer: 0 });
      return [shown, spoken];
    }
    function updateCounter(ta) {
      const c = state.owner.get(ta);
      if (!c) return;
      const n = ta.value.length;
      const max = ta.maxLength;
      const near = n >= max * COUNTER_FROM;
      const vars = { n: NUM.format(n), max: NUM.format(max) };
      c.shown.hidden = !near;
      c.shown.textContent = near ? t(S.counter, vars) : '';
      c.shown.classList.toggle('th-full', n >= max);
      clearTimeout(c.timer);
      const say = near ? t(S.counterSpoken, vars) : '';
      c.timer = setTimeout(() => { c.spoken.textContent = say; }, COUNTER_SPEAK_DELAY);
    }

    function clearErrors(fields, formErr) {
      formErr.textContent = '';
      for (const k in fields) {
        const [input, err, hint] = fields[k];
        err.hidden = true;
        err.textContent = '';
        input.removeAttribute('aria-invalid');
        if (hint) input.setAttribute('aria-describedby', hint.id);
        else input.removeAttribute('aria-describedby');
      }
    }

    /* Errors at their fields; returns true for a warning the writer may post anyway. */
    function showErrors(fields, formErr, r) {
      clearErrors(fields, formErr);
      const other = [];
      let first = null;
      for (const e of (r.status === 422 && r.data.errors) || []) {
        const f = fields[e.field];
        if (!f) { other.push(e.message ? e.field + ': ' + e.message : e.field); continue; }
        const [input, err, hint, label] = f;
        err.hidden = false;
        // "is required" reads as "Name is required."; a whole sentence from the server stays as is.
        const msg = /^[a-z]/.test(e.message) && label ? label + ' ' + e.message + '.' : capital(e.message);
        err.textContent = (err.textContent ? err.textContent + ' ' : '') + msg;
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', (hint ? hint.id + ' ' : '') + err.id);
        first = first || input;
      }
      // A warning (not an error): the writer may revise, or send it as is.
      const warning = r.status === 422 && /_warning$/.test(r.data.code);
      formErr.textContent = warning ? '' : first ? [S.errors, ...other].join(' ') : other.join(' ') || errorText(r);
      if (first) { if (first.hidden) first.hidden = false; first.focus(); }
      return warning;
    }

    /* ==== PANELS ==================================================================== */

    /* Opens a panel under the comment's actions, or closes it when it is open (returns null). */
    function panel(node, cls, content) {
      const old = node.panels.querySelector(':scope > .' + cls);
      if (old) old.remove();
      const p = old ? null : h('div', { class: 'th-panel ' + cls }, content);
      if (p) node.panels.append(p);
      const btn = node.actions.querySelector('[aria-expanded][data-action="' + cls.slice(3) + '"]');
      if (btn) btn.setAttribute('aria-expanded', String(!!p));
      return p;
    }
    function closePanel(node, cls) {
      const p = node.panels.querySelector(':scope > .' + cls);
      if (p) p.remove();
    }

    function openShare(node) {
      const link = state.url + '#' + ID_PREFIX + node.data.id;
      const mail = new URLSearchParams({ subject: t(S.shareSubject, { title: state.title }), body: link });
      const input = h('input', { type: 'text', readonly: true, value: link, id: uid('share'), class: 'th-input' });
      const p = panel(node, 'th-share', [
        h('label', { for: input.id, text: S.share }), input,
        button('copy-link', 'th-btn', S.copyLink),
        h('a', { class: 'th-btn', href: 'mailto:?' + mail.toString().replace(/\+/g, '%20'), text: S.emailLink }),
      ]);
      if (p) input.focus();
    }
    async function copyLink(el) {
      const link = el.parentNode.querySelector('input');
      link.select();
      try { await navigator.clipboard.writeText(link.value); } catch (_) { /* selected for manual copy */ }
      announce(S.copied);
    }

    function openReport(node) {
      const reasons = Object.keys(S.reasons).map((k) => h('option', { value: k, text: S.reasons[k] }));
      const sel = h('select', { id: uid('reason'), class: 'th-input' }, reasons);
      const text = h('input', { type: 'text', id: uid('note'), class: 'th-input', maxlength: '500' });
      const err = h('p', { class: 'th-err', role: 'alert' });
      const form = h('form', { class: 'th-report-form', novalidate: true },
        h('label', { for: sel.id, text: S.reportReason }), sel, h('label', { for: text.id, text: S.reportNote }), text,
        h('button', { type: 'submit', class: 'th-btn', text: S.reportSend }), err);
      state.owner.set(form, {
        async send() {
          await readerToken();
          const r = await api('/comments/' + node.data.id + '/reports', { method: 'POST',
            body: { reason: sel.value, note: text.value }, headers: tokenHeader() });
          if (r.status !== 201) { err.textContent = errorText(r); return; }
          form.replaceWith(h('p', { class: 'th-ok', text: S.reported }));
          announce(S.reported);
          node.actions.querySelector('[data-action="report"]').focus();
        },
      });
      if (panel(node, 'th-report', form)) sel.focus();
    }

    function confirmDelete(node) {
      const p = panel(node, 'th-confirm', [h('span', { text: S.confirmDelete + ' ' }),
        button('delete-yes', 'th-btn th-danger', S.yesDelete), button('delete-no', 'th-btn', S.cancel)]);
      if (p) p.querySelector('button').focus();
    }

    async function deleteComment(node) {
      const own = ownEdit(node.data.id);
      const r = own ? await api('/comments/' + node.data.id, { method: 'DELETE',
        headers: { 'X-Townhall-Edit-Token': own.token } }) : { status: 403, data: {} };
      closePanel(node, 'th-confirm');
      if (r.status !== 200) { note(node, errorText(r)); return; }
      store.del('edit:' + node.data.id);
      forgetPending(node.data.id);
      if (!node.local.held) { state.thread.count = Math.max(0, state.thread.count - 1); setCount(); }
      if (node.list.querySelector('.th-c')) {
        // Its replies stay; the comment keeps its place, marked deleted.
        Object.assign(node.data, { status: 'deleted', author: null });
        Object.assign(node.local, { text: null, held: false });
        renderComment(node);
      } else {
        const parent = nodeOf(node.el.parentNode);
        node.el.remove();
        state.nodes.delete(node.data.id);
        if (parent) drawToggle(parent);
      }
      announce(S.deletedDone);
      ui.heading.focus();
    }

    /* ==== PENDING =================================================================== */

    /* The reader's own held comments are kept in localStorage and shown only to them, drawn
     * from what they wrote, until a moderator decides. */
    function forgetPending(id) {
      store.set(pendingKey, (store.get(pendingKey) || []).filter((p) => p.id !== id));
    }
    function showPending(onlyId) {
      const keep = [];
      let made = null;
      const deepest = state.cfg.display_depth - 1;
      for (const p of store.get(pendingKey) || []) {
        if (Date.now() - new Date(p.created) > PENDING_KEEP) continue;
        const shown = state.nodes.get(p.id);
        if (shown && !shown.local.held) continue; // approved: the thread has it
        keep.push(p);
        if (shown || (onlyId && p.id !== onlyId)) continue;
        const parent = p.parent ? state.nodes.get(p.parent) : null;
        if (p.parent && !parent) continue;
        const flat = parent && parent.data.level >= deepest;
        const data = { id: p.id, parent: p.parent, created: p.created, author: { name: p.name || S.anonymous },
          level: parent ? Math.min(parent.data.level + 1, deepest) : 0,
          in_reply_to: flat ? { id: p.parent, name: (parent.data.author || {}).name } : null };
        made = place(data, state.sort !== 'oldest' || !!state.cursor, { held: true, text: p.text });
      }
      store.set(pendingKey, keep);
      return made;
    }

    /* Held comments: ask once per visit how moderation went (only their author may ask). */
    async function checkPending() {
      for (const p of store.get(pendingKey) || []) {
        const r = await api('/comments/' + p.id + '/outcome', { headers: tokenHeader() });
        const outcome = r.status === 200 ? r.data.status : r.status === 404 ? 'deleted' : 'pending';
        if (outcome === 'pending') continue;
        forgetPending(p.id);
        const node = state.nodes.get(p.id);
        if (!node || !node.local.held) continue;
        Object.assign(node.local, { held: false, outcome: outcome === 'published' ? null : outcome });
        renderComment(node);
      }
    }

    /* ==== PERMALINKS ================================================================ */

    async function followHash(_, all) {
      const m = new RegExp('^#' + ID_PREFIX + '(\\d+)$').exec(location.hash);
      if (!m || !state.thread) return;
      const id = +m[1];
      if (!state.nodes.has(id)) {
        const r = await api('/comments/' + id);
        if (r.status !== 200 || r.data.thread_url !== state.thread.url) return announce(S.notFound);
        // Load the pages and replies that lead to it; past a few pages, show it on its own first.
        const top = r.data.ancestors.length ? r.data.ancestors[0] : id;
        const pages = all === true ? Infinity : PERMALINK_PAGES;
        const replyPages = all === true ? Infinity : PERMALINK_REPLY_PAGES;
        for (let i = 0; i < pages && !state.nodes.has(top) && state.cursor; i++) if (!(await loadPage())) break;
        const root = state.nodes.get(top);
        for (let i = 0; i < replyPages && root && !state.nodes.has(id) && root.cursor; i++) {
          if (!(await loadReplies(root))) break;
        }
        if (!state.nodes.has(id)) return showFocused(r.data);
      }
      ui.focusBox.hidden = true;
      highlight(state.nodes.get(id).el);
    }

    /* Far down a long thread: the comment on its own (not in state.nodes), above the thread. */
    function showFocused(c) {
      const node = makeNode(Object.assign({}, c, { replies: [], replies_cursor: null }));
      node.el.id = 'th-focused-' + c.id;
      renderComment(node);
      ui.focusBox.replaceChildren(h('p', { class: 'th-muted', text: S.focused }), node.el,
        button('show-thread', 'th-btn', S.showThread));
      ui.focusBox.hidden = false;
      highlight(node.el);
    }

    function highlight(el) {
      for (const o of host.querySelectorAll('.th-hl')) o.classList.remove('th-hl');
      for (let p = el.parentNode.closest('.th-c'); p; p = p.parentNode.closest('.th-c')) {
        const n = state.owner.get(p);
        if (n && !n.expanded) { n.expanded = true; drawToggle(n); }
      }
      el.classList.add('th-hl');
      el.scrollIntoView({ block: 'center' });
      el.focus({ preventScroll: true });
    }

    /* ==== START ===================================================================== */

    /* The embed cannot show this thread (unknown site, a page outside the site's origins, the
     * server unreachable or refusing this page's origin): readers get one neutral sentence, the
     * page's developer the details in the console. */
    function unavailable(r) {
      const d = r.data || {};
      const why = r.status === 0
        ? 'the server could not be read: it is down, or it refused this page\'s origin (' + location.origin +
          '), which happens when site "' + state.site + '" does not exist or does not list that origin'
        : r.status + ' ' + (d.code || '') + ': ' + (d.message || '') +
          (r.status === 404 ? ' (check data-site="' + state.site + '")' : '') +
          (r.status === 422 ? ' (the page URL ' + state.url + ' must be on one of the site\'s origins)' : '');
      console.error('Townhall: comments are unavailable on this page. GET ' + BASE + '/api/v1' + r.path +
        ' failed: ' + why, { site: state.site, url: state.url, status: r.status, response: d });
      ui.root.removeAttribute('aria-labelledby');
      ui.root.setAttribute('aria-label', S.region);
      ui.root.replaceChildren(h('p', { class: 'th-notice th-unavailable', text: S.unavailable }));
      host.dataset.townhallReady = 'unavailable';
    }

    setInterval(() => {
      for (const el of host.querySelectorAll('.th-left')) {
        const left = new Date(el.dataset.expires) - Date.now();
        if (left > 0) el.textContent = t(S.editLeft, { t: fmtLeft(left) });
        else renderComment(nodeOf(el));
      }
    }, COUNTDOWN_EVERY);
    setInterval(() => {
      for (const el of host.querySelectorAll('time[datetime]')) el.textContent = relTime(new Date(el.dateTime));
    }, RELATIVE_EVERY);
    window.addEventListener('hashchange', followHash);

    Object.assign(X, { api, h, store, S, state, ui, ACTIONS, renderComment, formEl, announce });
    hand(acct);

    (async () => {
      if (!doc.querySelector('link[data-townhall-css]')) {
        doc.head.append(h('link', { rel: 'stylesheet', href: BASE + CSS_PATH, 'data-townhall-css': '' }));
      }
      if (cfg.status !== 200) return unavailable(cfg);
      state.cfg = cfg.data;
      if (!SORTS.includes(state.sort)) state.sort = cfg.data.default_sort;
      sortSel.value = state.sort;
      if (state.cfg.sign_in_required || store.get('acct') || /townhall-sign-in=/.test(location.hash)) await account();
      if (!(await load())) return;
      await checkPending();
      await state.x; // ready once the extras have laid the thread out
      host.dataset.townhallReady = 'true';
      // Live updates: the module loads only where the browser can follow a stream.
      if (window.EventSource) import(BASE + '/static/townhall/live.js').then((m) => m.live({ state, ui, h, place, S,
        plural, renderComment, setCount, load, BASE, ACTIONS })).catch(() => {});
    })();
  }

  const start = async () => {
    const el = doc.getElementById('townhall');
    if (!el || el.dataset.townhallStarted) return;
    el.dataset.townhallStarted = '1';
    const cfg = await api('/config?' + new URLSearchParams({ site: el.dataset.site }));
    await locale(el, cfg.data);
    Widget(el, cfg);
  };
  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', start);
  else start();
})();
